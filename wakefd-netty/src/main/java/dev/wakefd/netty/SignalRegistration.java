package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * A signal watched by a Netty event loop, from {@link NettySignals#register}. It ends in one of
 * three ways, each from any thread: {@link #cancel()}, the signal's {@code close()}, or the loop's
 * shutdown; {@link #unregistered()} completes once Netty has let go of the fd.
 *
 * <pre>{@code
 * SignalRegistration reg = NettySignals.register(loop, waker, n -> runQueuedTasks());
 * reg.registered().get(5, SECONDS);   // optional: the fd is in the loop's epoll set / ring
 * ...
 * reg.cancel().get(5, SECONDS);       // Netty no longer watches the fd
 * }</pre>
 */
public final class SignalRegistration {
    private final SignalHandle handle;

    SignalRegistration(SignalHandle handle) {
        this.handle = handle;
    }

    /** The loop whose thread runs the handler. */
    public EventLoop loop() {
        return handle.loop;
    }

    public WakeSignal signal() {
        return handle.signal;
    }

    /** "epoll" or "io_uring". */
    public String transport() {
        return handle.transport();
    }

    /**
     * Completes (on the loop's thread) once the fd is armed in the loop: added to its epoll set, or
     * its io_uring poll queued. Fails if the loop refused the registration or arming failed; is
     * cancelled if the registration ended first.
     */
    public CompletableFuture<Void> registered() {
        return handle.armed;
    }

    /**
     * Stops the handler calls and asks the loop to drop the fd. Idempotent; any thread, including
     * the handler itself. No handler call starts after the loop has seen the request; one already
     * running on the loop thread finishes. Counts that arrive afterwards stay in the signal.
     *
     * @return {@link #unregistered()}
     */
    public CompletableFuture<Void> cancel() {
        handle.requestCancel();
        return handle.done;
    }

    /**
     * Completes once Netty no longer holds the fd and wakefd has returned its lease on it (so a
     * closed signal's fd is closed by then): normally after {@link #cancel()}, the signal's close
     * or the loop's shutdown, exceptionally with the cause when registration or the loop's I/O on
     * the fd failed.
     */
    public CompletableFuture<Void> unregistered() {
        return handle.done;
    }

    /** False once cancel was requested (by {@link #cancel()}, close, shutdown or an error). */
    public boolean isActive() {
        return handle.isActive();
    }

    @Override
    public String toString() {
        return "SignalRegistration[" + transport() + ", " + handle.signal + ", "
                + (handle.done.isDone() ? "unregistered" : isActive() ? "active" : "cancelling") + "]";
    }
}
