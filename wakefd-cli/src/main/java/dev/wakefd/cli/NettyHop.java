package dev.wakefd.cli;

import dev.wakefd.EventFd;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoOps;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Netty 4.2 event loop (epoll or io_uring) waiting on the eventfd through Netty's public
 * {@code IoHandle} API: the loop's own epoll set, or a POLL_ADD on its io_uring ring. The handler
 * runs on the loop thread, reads the EventFd with {@code tryRead()} and signals the next hop.
 *
 * <p>The ring closes its eventfds only after {@link #close()} has shut the loop down, so the loop
 * never polls an fd number that was released.
 */
final class NettyHop implements Hop {
    enum Transport {
        EPOLL("Netty epoll"), IO_URING("Netty io_uring");

        final String hopName;

        Transport(String hopName) {
            this.hopName = hopName;
        }
    }

    private static final byte IORING_OP_POLL_ADD = 6; // include/uapi/linux/io_uring.h
    private static final int POLLIN = 0x1;

    private final Transport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final IoEventLoop loop;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int passed;
    private volatile Throwable failure;
    private long[] times;

    NettyHop(Transport transport) {
        this.transport = transport;
        IoHandlerFactory factory = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, factory);
        this.loop = (IoEventLoop) group.next();
    }

    /** Why this transport cannot run here, or null if it can. */
    static String unavailable(Transport t) {
        try {
            Throwable cause = t == Transport.EPOLL
                    ? (Epoll.isAvailable() ? null : Epoll.unavailabilityCause())
                    : (IoUring.isAvailable() ? null : IoUring.unavailabilityCause());
            return cause == null ? null : "Netty cannot use " + (t == Transport.EPOLL ? "epoll" : "io_uring") + " here: " + rootMessage(cause);
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
    public String name() {
        return transport.hopName;
    }

    @Override
    public String how() {
        return transport == Transport.EPOLL
                ? "a Netty 4.2 epoll event loop: IoEventLoop.register(EpollIoHandle), EPOLLIN on the eventfd"
                : "a Netty 4.2 io_uring event loop: IoEventLoop.register(IoUringIoHandle), POLL_ADD on the eventfd";
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws Exception {
        long[] t = new long[laps];
        times = t;
        Forwarder forward = new Forwarder(in, out, t, laps);
        Object handle = transport == Transport.EPOLL ? new EpollHandle(in.fd(), forward) : new UringHandle(in.fd(), forward);
        IoRegistration reg = loop.register((io.netty.channel.IoHandle) handle).get(10, TimeUnit.SECONDS);
        // Interest is submitted on the loop thread, as Netty's own channels do.
        loop.submit(() -> {
            if (transport == Transport.EPOLL) {
                reg.submit(EpollIoOps.EPOLLIN);
            } else {
                reg.submit(UringHandle.pollIn(in.fd()));
            }
        }).get(10, TimeUnit.SECONDS);
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

        /** Returns whether to keep waiting. */
        boolean readable() {
            if (lap >= laps) {
                return false;
            }
            try {
                long n = in.tryRead();
                if (n == 0) {
                    return true; // nothing after all: wait on
                }
                t[lap] = System.nanoTime();
                if (n != 1) {
                    throw new IllegalStateException("lap " + lap + ": read a count of " + n + ", expected the one wake");
                }
                out.signal();
                passed = ++lap;
                if (lap == laps) {
                    done.countDown();
                    return false;
                }
                return true;
            } catch (Throwable e) {
                fail(e);
                return false;
            }
        }

        void fail(Throwable e) {
            if (failure == null) {
                failure = e;
            }
            lap = laps;
            done.countDown();
        }
    }

    private static final class EpollHandle implements EpollIoHandle {
        private final FileDescriptor fd;
        private final Forwarder forward;

        EpollHandle(int fd, Forwarder forward) {
            this.fd = new FileDescriptor(fd); // a view of the ring's fd: close() below never closes it
            this.forward = forward;
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            if (!forward.readable()) {
                registration.cancel();
            }
        }

        @Override
        public void close() {
            // the EventFd belongs to the ring, which closes it after the loop has stopped
        }
    }

    private static final class UringHandle implements IoUringIoHandle {
        private final int fd;
        private final Forwarder forward;

        UringHandle(int fd, Forwarder forward) {
            this.fd = fd;
            this.forward = forward;
        }

        /** A one-shot POLL_ADD for POLLIN: re-submitted after each completion. */
        static IoUringIoOps pollIn(int fd) {
            return new IoUringIoOps(IORING_OP_POLL_ADD, (byte) 0, (short) 0, fd, 0L, 0L, 0, POLLIN,
                    (short) 0, (short) 0, (short) 0, 0, 0L);
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            if (e.opcode() != IORING_OP_POLL_ADD) {
                return;
            }
            if (e.res() < 0) {
                if (registration.isValid()) {
                    forward.fail(new java.io.IOException("io_uring POLL_ADD on fd " + fd + " completed with errno " + -e.res()));
                }
                return;
            }
            if (forward.readable()) {
                registration.submit(pollIn(fd));
            } else {
                registration.cancel();
            }
        }

        @Override
        public void close() {
            // as above: the ring owns the fd
        }
    }

    @Override
    public int passed() {
        return passed;
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws Exception {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new Main.Failure(name() + ": still waiting after " + timeout.toSeconds() + " s, having passed " + passed + " wakes");
        }
        stop(timeout);
        if (failure != null) {
            throw new Main.Failure(name() + ": " + failure, failure);
        }
        return times;
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
