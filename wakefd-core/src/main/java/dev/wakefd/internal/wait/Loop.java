package dev.wakefd.internal.wait;

import dev.wakefd.internal.Platform;
import java.io.IOException;
import java.util.Map;

/**
 * One thread that waits for readiness of registered fds and calls their {@link Ready}: the engine
 * behind the public {@code Poller} and wakefd's shared poller. Two backends, one file each:
 * {@link EpollLoop} on Linux and {@link PollLoop} (poll(2), POSIX-only mode). Interest is given in
 * epoll's terms, {@code EPOLLIN} plus optionally {@code EPOLLONESHOT} (a future: disarmed after
 * it fires until {@link #rearmFuture}) or {@code EPOLLET} (epoll only). See docs/platforms.md.
 */
public interface Loop extends Registrar {
    /** A thing the loop thread calls when its fd is ready. */
    interface Ready {
        void ready();

        /** The loop closed: release everything, fail what waits. */
        void pollerClosed();
    }

    /** A loop of this platform's kind, started; an IOException names the call that failed. */
    static Loop open(String name, boolean daemon) throws IOException {
        Platform.requireUsable(); // unknown system: a clear refusal here, not a failed lookup
        return Platform.posixOnly() ? PollLoop.open(name, daemon) : EpollLoop.open(name, daemon);
    }

    /** Registers a oneshot entry of {@link AsyncWaits}. */
    long addFuture(int fd, int events, Ready ready) throws IOException;

    /** Re-arms a oneshot entry; false if the loop has shut down. */
    boolean rearmFuture(long id, int fd, int events) throws IOException;

    void removeFuture(long id, int fd);

    Map<Site, AsyncWaits> asyncWaits();

    Thread thread();

    boolean isOpen();

    /** Registrations right now. */
    int registrations();

    /** Stops the loop; waits for its thread unless called from it. Idempotent. */
    void close();
}
