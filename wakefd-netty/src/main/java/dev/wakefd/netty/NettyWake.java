package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;

/**
 * Registers wakefd signals ({@link dev.wakefd.EventFd} or {@link dev.wakefd.Waker}) with Netty 4.2
 * event loops backed by {@code EpollIoHandler} or {@code IoUringIoHandler}: the loop's own thread
 * watches the signal's fd and calls your handler with what it consumed. Signals may come from any
 * thread, virtual thread, native code or other process; wakefd adds no thread.
 *
 * <pre>{@code
 * var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()); // or IoUringIoHandler
 * EventLoop loop = group.next();
 * Waker waker = Waker.open();
 * NettyWake.Registration reg = NettyWake.register(loop, waker, n -> drainMyQueue()).sync().getNow();
 * Thread.ofVirtual().start(() -> { myQueue.add(job); waker.wake(); });  // handler runs on the loop
 * ...
 * reg.cancel();   // from any thread; or waker.close(); or group.shutdownGracefully()
 * }</pre>
 *
 * <p>Each handler call reports what one {@link WakeSignal#consume()} returned, never 0: an
 * EventFd's count (1 per call in semaphore mode), or 1 for a Waker. For an EventFd the handler
 * calls add up to exactly what was consumed; what arrives after cancel stays in the eventfd. A
 * handler that throws is logged and keeps its registration.
 *
 * <p><b>One registration per fd per loop.</b> Netty's epoll loop keys registrations by fd number:
 * a second registration of the same fd on the same loop would replace the first in Netty's table
 * (tripping an assertion under {@code -ea}) and then fail in {@code epoll_ctl} with EEXIST, leaving
 * the first deaf. wakefd refuses it up front with {@link IllegalStateException}, on io_uring loops
 * too (two handlers on one loop racing for one counter serve no purpose); the first registration is
 * untouched. Register a {@link dev.wakefd.EventFd#duplicate()} (another fd on the same counter) if
 * two handlers on one loop must see it, or register again once Netty has dropped the first (after
 * its cancel has run on the loop). One signal on several loops is allowed: each consume goes to one.
 */
public final class NettyWake {
    // Both transports are optional dependencies: a handle class is loaded (and with it its
    // transport's classes) only once that transport's classes are known to be there. The handles
    // are made through static factories so that verifying this class loads neither.
    private static final boolean EPOLL_CLASSES = present("io.netty.channel.epoll.EpollIoHandle");
    private static final boolean URING_CLASSES = present("io.netty.channel.uring.IoUringIoHandle");

    private NettyWake() {}

    /** A signal watched by a loop. It ends on {@link #cancel()}, the signal's close or the loop's shutdown. */
    public interface Registration {
        /**
         * Stops handler calls and asks the loop to drop the fd; any thread, including the handler.
         * No handler call starts once the loop has seen the request. Idempotent.
         */
        void cancel();

        /**
         * {@return true until cancel was requested (by {@link #cancel()}, the signal's close, the loop's shutdown or an error)}
         */
        boolean isActive();

        /** {@return the loop whose thread runs the handler} */
        IoEventLoop loop();

        /** {@return the signal whose fd the loop watches} */
        WakeSignal signal();

        /** {@return "epoll" or "io_uring"} */
        String transport();

        /**
         * Completes once Netty no longer holds the fd and wakefd has returned its lease on it (so a
         * closed signal's fd is closed by then): normally after a cancel, close or shutdown;
         * exceptionally with the cause if the loop's I/O on the fd failed.
         *
         * @return a future of the moment Netty and wakefd let go of the fd
         */
        CompletableFuture<Void> unregistered();
    }

    /**
     * Starts watching {@code signal} on {@code loop}. Signals sent before the fd is armed are not
     * lost: epoll and io_uring poll both report a counter that is already non-zero.
     *
     * @param loop an event loop of a group made with {@code EpollIoHandler.newFactory()} or
     *     {@code IoUringIoHandler.newFactory()}
     * @param handler called on the loop's thread with each non-zero consumed count
     * @param signal the signal
     * @return a future that succeeds once the fd is armed in the loop (in its epoll set, or its
     *     io_uring poll queued), or fails: with {@link java.nio.channels.ClosedChannelException} if the signal is
     *     closed, {@link IllegalStateException} if the loop is shutting down
     * @throws IllegalArgumentException if the loop is of another kind (NIO, local, a plain
     *     {@code DefaultEventLoop}); the message says what to use instead
     * @throws IllegalStateException if this fd is already registered with this loop
     */
    public static Future<Registration> register(EventLoop loop, WakeSignal signal, LongConsumer handler) {
        LiveRegistration reg = open(loop, signal, handler);
        Promise<Registration> promise = reg.loop().newPromise(); // its listeners run on the loop
        reg.armed().whenComplete((v, t) -> {
            if (t == null) {
                promise.trySuccess(reg);
            } else {
                promise.tryFailure(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
            }
        });
        return promise;
    }

    /** {@link #register} without waiting for the loop: the registration at once (for tests). */
    static LiveRegistration open(EventLoop loop, WakeSignal signal, LongConsumer handler) {
        Objects.requireNonNull(loop, "register: loop is null");
        Objects.requireNonNull(signal, "register: signal is null");
        Objects.requireNonNull(handler, "register: handler is null");
        dev.wakefd.internal.Platform.requireLinux("NettyWake.register (Netty's epoll and io_uring transports)");
        IoEventLoop ioLoop = supported(loop);
        SignalHandle handle = takesEpoll(ioLoop)
                ? EpollSignalHandle.create(ioLoop, signal, handler)
                : UringSignalHandle.create(ioLoop, signal, handler);
        handle.start();
        return handle.registration;
    }

    /**
     * Whether {@code loop} can take wakefd registrations: epoll- or io_uring-based.
     *
     * @param loop any event loop
     * @return true if {@link #register} accepts it
     */
    public static boolean supports(EventLoop loop) {
        return loop instanceof IoEventLoop io && (takesEpoll(io) || takesUring(io));
    }

    private static boolean takesEpoll(IoEventLoop io) {
        return EPOLL_CLASSES && io.isCompatible(EpollSignalHandle.class);
    }

    private static boolean takesUring(IoEventLoop io) {
        return URING_CLASSES && io.isCompatible(UringSignalHandle.class);
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, NettyWake.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** The loop as an IoEventLoop that takes epoll or io_uring handles, or a clear refusal. */
    private static IoEventLoop supported(EventLoop loop) {
        if (supports(loop)) {
            return (IoEventLoop) loop;
        }
        String kind;
        if (!(loop instanceof IoEventLoop io)) {
            kind = "it is not an IoEventLoop, so it watches no file descriptors";
        } else if (io.isIoType(NioIoHandler.class)) {
            kind = "it is backed by NioIoHandler, whose Selector watches only Java channels, not a foreign fd";
        } else if (io.isIoType(LocalIoHandler.class)) {
            kind = "it is backed by LocalIoHandler, which does no kernel I/O";
        } else {
            kind = "its IoHandler is neither EpollIoHandler nor IoUringIoHandler";
        }
        throw new IllegalArgumentException(
                "register: cannot watch a wakefd signal on " + loop.getClass().getName()
                        + ": " + kind + ". Use a loop from new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory())"
                        + " or new MultiThreadIoEventLoopGroup(IoUringIoHandler.newFactory()) (Linux),"
                        + " or dev.wakefd.Poller for a loop of wakefd's own.");
    }
}
