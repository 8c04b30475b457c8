package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Registers wakefd signals with Netty 4.2 event loops: the loop's own thread sleeps on the
 * signal's fd in its epoll set and calls your handler with what it consumed. No extra thread.
 *
 * <pre>{@code
 * var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
 * IoEventLoop loop = (IoEventLoop) group.next();
 * Waker waker = Waker.open();
 * NettyWake.register(loop, waker, n -> drainMyQueue()).sync();   // handler runs on the loop
 * Thread.ofVirtual().start(() -> { myQueue.add(job); waker.wake(); });
 * }</pre>
 *
 * <p>The registration ends when cancelled, when the signal closes or when the loop shuts down.
 * Netty keys epoll registrations by fd number, so one signal (one fd) can be registered with a
 * given loop once: a second registration of the same fd is refused with an
 * {@link IllegalStateException}. Register a {@link dev.wakefd.EventFd#duplicate()} if two
 * handlers on one loop must see it.
 */
public final class NettyWake {
    private NettyWake() {}

    /** A live registration of a signal with a loop. */
    public interface Registration {
        /** Removes the signal from the loop (from any thread); the handler is not called after the loop processes it. Idempotent. */
        void cancel();

        /** True until cancelled or unregistered by the loop. */
        boolean isActive();

        /** The loop it is registered with. */
        IoEventLoop loop();
    }

    /**
     * Registers {@code signal} with {@code loop}; {@code handler} runs on the loop thread with the
     * count consumed ({@link WakeSignal#consume()}) each time the signal's fd becomes readable.
     *
     * @return a future completed on the loop once the signal is armed
     * @throws IllegalStateException if this signal's fd is already registered with this loop
     * @throws IllegalArgumentException if the loop is not epoll-based (NIO and local loops cannot
     *     watch a foreign fd: use an {@code EpollIoHandler} loop, or wakefd's own {@code Poller})
     */
    public static Future<Registration> register(IoEventLoop loop, WakeSignal signal, LongConsumer handler) {
        Objects.requireNonNull(loop, "register: loop is null");
        Objects.requireNonNull(signal, "register: signal is null");
        Objects.requireNonNull(handler, "register: handler is null");
        if (!loop.isCompatible(EpollWakeHandle.class)) {
            throw new IllegalArgumentException("register: " + loop.getClass().getName()
                    + " cannot watch a foreign fd; use a loop created with EpollIoHandler.newFactory() "
                    + "(Netty's epoll transport), or dev.wakefd.Poller for a loop of wakefd's own");
        }
        Promise<Registration> promise = loop.newPromise();
        EpollWakeHandle handle;
        try {
            handle = EpollWakeHandle.lease(loop, signal, handler);
        } catch (ClosedChannelException e) {
            return promise.setFailure(e);
        }
        loop.register(handle).addListener(f -> {
            if (f.isSuccess()) {
                handle.armed((io.netty.channel.IoRegistration) f.getNow(), promise);
            } else {
                handle.failedToRegister();
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    /** Whether this loop can take wakefd registrations (epoll-based). */
    public static boolean supports(IoEventLoop loop) {
        return loop.isCompatible(EpollWakeHandle.class);
    }

    static boolean isEpoll(Class<?> c) {
        return EpollIoHandle.class.isAssignableFrom(c);
    }
}
