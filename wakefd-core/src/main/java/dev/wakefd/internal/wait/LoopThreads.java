package dev.wakefd.internal.wait;

import java.util.Collection;

/**
 * What both {@link Loop} backends ({@link EpollLoop}, {@link PollLoop}) do the same way around
 * their thread: dispatch a ready entry, tell every entry the loop closed, and wait for the thread
 * to end. One copy, so the two keep the same failure and shutdown handling.
 */
final class LoopThreads {
    private LoopThreads() {}

    /** Calls {@code r}; a throwing handler is logged and the loop goes on. */
    static void dispatch(Loop.Ready r) {
        try {
            r.ready();
        } catch (Throwable t) {
            EpollLoop.logHandlerFailure("dispatch", t);
        }
    }

    /** Tells each swept entry that its loop closed; one that throws does not stop the others. */
    static void pollerClosed(Collection<? extends Loop.Ready> swept) {
        for (Loop.Ready r : swept) {
            try {
                r.pollerClosed();
            } catch (Throwable t) {
                EpollLoop.logHandlerFailure("shutdown", t);
            }
        }
    }

    /** Waits for {@code loop} to end unless called from it; an interrupt is kept, not thrown. */
    static void joinUnlessSelf(Thread loop) {
        if (Thread.currentThread() == loop) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                loop.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
