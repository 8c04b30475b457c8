package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Registers a wakefd signal ({@link dev.wakefd.EventFd} or {@link dev.wakefd.Waker}) with a Netty
 * 4.2 event loop backed by {@code EpollIoHandler} or {@code IoUringIoHandler}: the loop watches the
 * signal's fd itself, and calls a handler on its own thread with what it consumed. Signals may come
 * from any thread, virtual thread, native code or other process; wakefd adds no thread.
 *
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
 * EventLoop loop = group.next();
 * EventFd work = EventFd.open();
 * SignalRegistration reg = NettySignals.register(loop, work, n -> {
 *     // on the loop's thread: n signals arrived since the last call
 *     drainQueueAndWrite(n);
 * });
 * Thread.ofVirtual().start(() -> { queue.add(item); work.signal(); });
 * ...
 * reg.cancel();              // from any thread; or work.close(); or group.shutdownGracefully()
 * }</pre>
 *
 * <p>Each call to the handler reports what one {@link WakeSignal#consume()} returned (never 0): an
 * EventFd's count (1 per call in semaphore mode), or 1 for a Waker. For an EventFd the sum over
 * all calls equals the sum of the signals consumed; what arrives after {@link SignalRegistration#cancel()}
 * stays in the eventfd. A handler that throws is logged and keeps its registration.
 *
 * <p><b>One registration per signal per loop.</b> Netty's epoll loop keys its registrations by fd
 * number, so a second registration of the same fd on the same loop would silently replace the
 * first in Netty's table and then fail in {@code epoll_ctl} with EEXIST. wakefd refuses it up
 * front with {@link IllegalStateException}, for io_uring loops too (two handlers on one loop
 * racing for one counter serve no purpose); the first registration is untouched. Register again
 * once the earlier registration's {@link SignalRegistration#unregistered()} has completed.
 * Registering one signal with several loops is allowed: each consume goes to one of them.
 */
public final class NettySignals {
    private NettySignals() {}

    /**
     * Starts watching {@code signal} on {@code loop}. Returns at once; the loop adds the fd on its
     * own thread ({@link SignalRegistration#registered()} completes then). Signals sent before that
     * are not lost: both epoll and io_uring poll report a counter that is already non-zero.
     *
     * @param loop an {@link IoEventLoop} backed by {@code EpollIoHandler} or {@code IoUringIoHandler}
     * @param handler called on the loop's thread with each non-zero consumed count
     * @throws IllegalArgumentException if the loop is of another kind (NIO, local, a plain
     *     {@code DefaultEventLoop}); the message says what to use instead
     * @throws IllegalStateException if {@code signal} is already registered with {@code loop}, or the
     *     loop is shutting down
     * @throws ClosedChannelException if {@code signal} is closed
     */
    public static SignalRegistration register(EventLoop loop, WakeSignal signal, LongConsumer handler)
            throws ClosedChannelException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(handler, "handler");
        IoEventLoop ioLoop = supported(loop);
        SignalHandle handle = ioLoop.isCompatible(EpollSignalHandle.class)
                ? new EpollSignalHandle(ioLoop, signal, handler)
                : new UringSignalHandle(ioLoop, signal, handler);
        handle.start();
        return handle.registration;
    }

    /** The loop as an IoEventLoop that takes epoll or io_uring handles, or a clear refusal. */
    private static IoEventLoop supported(EventLoop loop) {
        if (loop instanceof IoEventLoop io
                && (io.isCompatible(EpollSignalHandle.class) || io.isCompatible(UringSignalHandle.class))) {
            return io;
        }
        String kind;
        if (!(loop instanceof IoEventLoop io)) {
            kind = "it is not an IoEventLoop, so it watches no file descriptors";
        } else if (io.isIoType(NioIoHandler.class)) {
            kind = "it is backed by NioIoHandler, whose Selector watches only Java channels, not raw fds";
        } else if (io.isIoType(LocalIoHandler.class)) {
            kind = "it is backed by LocalIoHandler, which does no kernel I/O";
        } else {
            kind = "its IoHandler is neither EpollIoHandler nor IoUringIoHandler";
        }
        throw new IllegalArgumentException("cannot register a wakefd signal with " + loop.getClass().getName()
                + ": " + kind + ". Use a loop from new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory())"
                + " or new MultiThreadIoEventLoopGroup(IoUringIoHandler.newFactory()) (Linux).");
    }
}
