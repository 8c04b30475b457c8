package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import io.netty.channel.IoEventLoop;
import java.util.concurrent.CompletableFuture;

/** The user's view of a {@link SignalHandle}, kept apart from Netty's IoHandle methods. */
final class LiveRegistration implements NettyWake.Registration {
    private final SignalHandle handle;

    LiveRegistration(SignalHandle handle) {
        this.handle = handle;
    }

    @Override
    public void cancel() {
        handle.requestCancel();
    }

    @Override
    public boolean isActive() {
        return handle.isActive();
    }

    @Override
    public IoEventLoop loop() {
        return handle.loop;
    }

    @Override
    public WakeSignal signal() {
        return handle.signal;
    }

    @Override
    public String transport() {
        return handle.transport();
    }

    @Override
    public CompletableFuture<Void> unregistered() {
        return handle.done;
    }

    /** Completes once the fd is armed in the loop; fails or is cancelled if the registration ended first. */
    CompletableFuture<Void> armed() {
        return handle.armed;
    }

    @Override
    public String toString() {
        return "NettyWake.Registration[" + transport() + ", " + handle.signal + ", "
                + (handle.done.isDone() ? "unregistered" : isActive() ? "active" : "cancelling") + "]";
    }
}
