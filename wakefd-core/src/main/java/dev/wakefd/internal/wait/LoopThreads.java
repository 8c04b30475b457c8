package dev.wakefd.internal.wait;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

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

    /**
     * The first half of a loop's shutdown: under {@code lock}, runs {@code markClosing} (from
     * then on no entry is added) and takes the entries; then, outside it, tells each one.
     */
    static void sweep(ReentrantLock lock, Runnable markClosing, Collection<? extends Loop.Ready> entries) {
        List<Loop.Ready> swept;
        lock.lock();
        try {
            markClosing.run();
            swept = new ArrayList<>(entries);
        } finally {
            lock.unlock();
        }
        pollerClosed(swept);
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
