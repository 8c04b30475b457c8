package dev.wakefd.internal;

import dev.wakefd.WakeSignal;

/**
 * Hooks into a {@link WakeSignal} for wakefd's own modules (Netty, IPC, bridge), in the style of
 * the JDK's SharedSecrets: exported only to them, installed by {@code dev.wakefd} at class init.
 */
public final class Internals {
    private Internals() {}

    /** What the integration modules may do to a signal beyond its public API. */
    public interface Access {
        /** Takes a lease that keeps the fd number open (see {@link FdGuard}); false if closing. */
        boolean acquire(WakeSignal s);

        void release(WakeSignal s);

        /** Runs {@code listener} once when {@code s} closes (now, if it already has). */
        void onClose(WakeSignal s, Runnable listener);

        void removeOnClose(WakeSignal s, Runnable listener);

        /** Before the signal's fd is handed to another process: see {@code SignalFile.shared()}. */
        void shared(WakeSignal s);

        /**
         * Whether calls on {@code s} may still be critical downcalls (no thread transition), which
         * is only safe while no other holder can clear O_NONBLOCK; for tests.
         */
        boolean criticalCalls(WakeSignal s);

        /**
         * Waits until {@code s} is readable (null timeout: no limit); a platform thread consumes
         * nothing, a virtual thread consumes as {@code await} does. 0 if the timeout passed.
         * For wakefd-shm's sleep (docs/design/shm-ring.md, "Clear before announcing").
         */
        long awaitReadable(WakeSignal s, java.time.Duration timeout) throws java.io.IOException, InterruptedException;
    }

    private static volatile Access access;

    public static void install(Access a) {
        access = a;
    }

    public static Access access() {
        Access a = access;
        if (a == null) {
            try {
                Class.forName("dev.wakefd.EventFd", true, Internals.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }
}
