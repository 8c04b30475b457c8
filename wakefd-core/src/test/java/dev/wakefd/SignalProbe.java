package dev.wakefd;

import dev.wakefd.testing.Await;
import dev.wakefd.testing.TestFds;
import java.io.IOException;

/**
 * What tests read of a signal's package-private state; the helpers that need no such access are
 * in {@code dev.wakefd.testing}.
 */
final class SignalProbe {
    private SignalProbe() {}

    /** The count as the backend keeps it: the kernel's (fdinfo) for eventfd, the in-JVM count for a pipe. */
    static long count(EventFd e) throws IOException {
        return e.file instanceof dev.wakefd.internal.PipeFile p ? p.pending() : TestFds.kernelCount(e.fd());
    }

    /**
     * Returns once a thread is blocked in await (or a future waits) on {@code e}: it has
     * registered the close listener that wakes it (a platform thread: is inside epoll_wait).
     */
    static void blockedOn(EventFd e) {
        Await.until("a thread blocks on " + e, () -> e.site.waiting() > 0);
    }
}
