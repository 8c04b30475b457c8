package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.netty.NettyWake;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.2 event loop (epoll or io_uring) waiting on the eventfd through wakefd-netty's
 * {@code NettyWake.register}: the loop's own epoll set, or a multishot POLL_ADD on its io_uring
 * ring. The handler runs on the loop thread with the consumed count and signals the next hop.
 *
 * <p>The ring closes its eventfds only after {@link #close()} has shut the loop down, so the loop
 * never polls an fd number that was released.
 */
final class NettyHop extends AbstractHop {
    enum Transport {
        EPOLL(
                "Netty epoll",
                "a Netty 4.2 epoll event loop: NettyWake.register(loop, eventFd, handler), EPOLLIN on the eventfd"),
        IO_URING(
                "Netty io_uring",
                "a Netty 4.2 io_uring event loop: NettyWake.register(loop, eventFd, handler), multishot POLL_ADD");

        final String hopName;
        final String how;

        Transport(String hopName, String how) {
            this.hopName = hopName;
            this.how = how;
        }
    }

    private final Transport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final IoEventLoop loop;
    private final CountDownLatch done = new CountDownLatch(1);

    NettyHop(Transport transport) {
        super(transport.hopName, transport.how);
        this.transport = transport;
        IoHandlerFactory factory =
                transport == Transport.EPOLL ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, factory);
        this.loop = (IoEventLoop) group.next();
    }

    /** Why this transport cannot run here, or null if it can. */
    static String unavailable(Transport t) {
        try {
            Throwable cause = t == Transport.EPOLL
                    ? (Epoll.isAvailable() ? null : Epoll.unavailabilityCause())
                    : (IoUring.isAvailable() ? null : IoUring.unavailabilityCause());
            return cause == null
                    ? null
                    : "Netty cannot use " + (t == Transport.EPOLL ? "epoll" : "io_uring") + " here: "
                            + rootMessage(cause);
        } catch (LinkageError e) {
            return "Netty's native transport did not load: " + e;
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws Exception {
        long[] t = newTimes(laps);
        Forwarder forward = new Forwarder(in, out, t, laps);
        var reg = NettyWake.register(loop, in, forward::accept);
        if (!reg.await(10, TimeUnit.SECONDS) || !reg.isSuccess()) {
            throw new Main.Failure(
                    name() + ": registering the eventfd with the loop failed: " + reg.cause(), reg.cause());
        }
        forward.registration = reg.getNow();
    }

    /** The per-wake work, on the loop thread only, so {@code lap} needs no synchronization. */
    private final class Forwarder {
        final EventFd in;
        final EventFd out;
        final long[] t;
        final int laps;
        int lap;

        Forwarder(EventFd in, EventFd out, long[] t, int laps) {
            this.in = in;
            this.out = out;
            this.t = t;
            this.laps = laps;
        }

        volatile NettyWake.Registration registration;

        /** The handler: wakefd-netty consumed {@code n} from the eventfd on the loop thread. */
        void accept(long n) {
            if (lap >= laps) {
                return;
            }
            try {
                t[lap] = System.nanoTime();
                if (n != 1) {
                    throw new IllegalStateException(
                            "lap " + lap + ": read a count of " + n + ", expected the one wake");
                }
                out.signal();
                passedOn(lap++);
                if (lap == laps) {
                    done.countDown();
                    NettyWake.Registration r = registration;
                    if (r != null) {
                        r.cancel();
                    }
                }
            } catch (Throwable e) {
                fail(e);
            }
        }

        void fail(Throwable e) {
            NettyHop.this.fail(e);
            lap = laps;
            done.countDown();
        }
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws Exception {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw stillRunning(timeout);
        }
        stop(timeout);
        return result();
    }

    /** Shuts the loop down and waits for its thread to end: its writes to `times` are visible after. */
    private void stop(Duration timeout) throws InterruptedException {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        if (!group.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new Main.Failure(name() + ": the event loop did not stop within " + timeout.toSeconds() + " s");
        }
    }

    @Override
    public void close() {
        try {
            stop(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
