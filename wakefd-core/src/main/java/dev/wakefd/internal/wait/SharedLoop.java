package dev.wakefd.internal.wait;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * wakefd's shared poller: one daemon {@link Loop}, made on first use, behind
 * {@code readAsync()} and virtual-thread waits. Not a class initialiser: a failure to make it
 * (EMFILE, say) is an IOException for that caller, and the next caller tries again, so no failure
 * is permanent (docs/design/waits.md, "failures").
 */
public final class SharedLoop {
    private SharedLoop() {}

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile Loop loop;

    /** The shared loop, started now if there is none (or the last one died). */
    public static Loop get() throws IOException {
        Loop l = loop;
        if (l != null && l.isOpen()) {
            return l;
        }
        LOCK.lock();
        try {
            l = loop;
            if (l == null || !l.isOpen()) {
                l = Loop.open("wakefd-poller-shared", true);
                loop = l;
            }
            return l;
        } finally {
            LOCK.unlock();
        }
    }
}
