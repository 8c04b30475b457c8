package dev.wakefd.bridge;

import java.util.function.BooleanSupplier;

/**
 * How a blocked side of a bridge looks before it sleeps: decided per wait from what this side
 * observed. The policy only chooses how to look (spin, yield once, or not at all); sleeping always
 * goes through the ring's announce/re-check ({@link Ring}), so no policy can put a side to sleep
 * unannounced, provided {@link #look} returns without waiting for the other side. Why that
 * suffices, and the decision rule: docs/design/bridge-ring.md ("Waiting policy").
 *
 * <p>One instance per side; only that side's current owner calls it (a handed-over side
 * carries the happens-before edge of the hand-over), so its state is plain fields.
 */
interface WaitPolicy {
    /**
     * Looks whether {@code quiet} stops holding (an item, room or a close appeared); true if it
     * did, so the caller need not sleep. Must return within a bounded time without parking on
     * the other side: nobody has been asked to wake this side yet.
     */
    boolean look(BooleanSupplier quiet);

    /**
     * What the last wait showed: it started at {@code startNanos}, and the other side acted
     * (published, or asked for this side's wake) at {@code actedNanos}.
     */
    void observed(long startNanos, long actedNanos);

    /** A new policy of the default kind, looking for at most {@code maxLookNanos}. */
    static WaitPolicy adaptive(long maxLookNanos, boolean oneCpu) {
        return new Adaptive(maxLookNanos, oneCpu);
    }

    /**
     * The default, per wait: if this thread woke, within the last 2 µs, a thread that has not run
     * yet, yield once, then sleep (a hand-off from idle: its answer cannot come before it gets a
     * CPU, and ours is the nearest); if it woke one longer ago that still has not run, look for
     * up to {@code maxLookNanos} (it is on its way; sleeping now would need its wake in turn);
     * else sleep at once if the last {@value #LONG_WAITS_TO_SLEEP} waits each lasted longer than
     * {@code maxLookNanos} (an idle stream); else look for about twice the recent short wait. The
     * waits that began with a wake are left out of what it learns. See
     * docs/design/bridge-ring.md ("Waiting policy").
     */
    final class Adaptive implements WaitPolicy {
        /** How often a spin looks at the ring: rarely enough that the other side's index line is not pulled back and forth per item. */
        static final long LOOK_EVERY_NANOS = 1_000;
        /** This many waits in a row, each longer than a whole look, make the next wait sleep at once. */
        static final int LONG_WAITS_TO_SLEEP = 3;
        /** A wake asked for at most this long before a wait counts as a hand-off from idle. */
        static final long WOKE_JUST_NOW_NANOS = 2_000;
        /** {@link #WOKE_JUST_NOW_NANOS}; tests set it so that their checks never depend on timing. */
        static volatile long wokeJustNowNanos = WOKE_JUST_NOW_NANOS;
        /** One sample's weight in the recent short wait: 1/4. */
        private static final int SHIFT = 2;

        private final long maxLook;
        private final boolean oneCpu;
        private long shortWait; // EWMA of the waits a whole look would have covered, ns
        private int longWaits; // waits in a row that a whole look would not have covered
        private boolean lookCovered; // the last look saw the other side act
        private boolean skipSample; // this wait began by waking the other side: its length says nothing about a stream
        // statistics for tests and docs
        long spins, yields, sleepsAtOnce;

        Adaptive(long maxLookNanos, boolean oneCpu) {
            this.maxLook = maxLookNanos;
            this.oneCpu = oneCpu;
        }

        @Override
        public boolean look(BooleanSupplier quiet) {
            skipSample = false;
            if (maxLook <= 0) {
                sleepsAtOnce++;
                return false;
            }
            // A wait that began while the other side was still asleep (we woke it, it has not run)
            // lasts that wake, not the other side's pace: left out of what we learn (issue 15).
            skipSample = Sleeper.wokeAThreadThatHasNotRun();
            if (skipSample && Sleeper.wokeAThreadThatHasNotRunWithin(wokeJustNowNanos)) {
                // A hand-off from idle. Our CPU is the nearest one for the thread we just woke:
                // give it away once (it runs at once if it was queued here), then sleep.
                // Spinning here would keep this CPU busy and send the wakee to a halted one.
                yields++;
                Thread.yield();
                return covered(!quiet.getAsBoolean());
            }
            if (longWaits >= LONG_WAITS_TO_SLEEP) {
                // Not an average: one long wait (a preemption, a GC) must not turn a stream into
                // sleeps at once; only a run of waits that no look could cover does.
                sleepsAtOnce++;
                return covered(false);
            }
            spins++;
            // Mid-stream, after waking the other side a ring's worth of items ago: its wake is
            // under way on another CPU and it acts as soon as it runs; sleeping now would need a
            // wake in turn, and both sides would sleep by turns, each paying the other's wake
            // (issue 15's steady regression). So look for the whole budget.
            long budget = skipSample ? maxLook : Math.min(maxLook, 2 * shortWait + LOOK_EVERY_NANOS);
            return covered(oneCpu ? yieldFor(budget, quiet) : spinFor(budget, quiet));
        }

        private boolean covered(boolean looked) {
            lookCovered = looked;
            return looked;
        }

        @Override
        public void observed(long startNanos, long actedNanos) {
            if (skipSample) {
                skipSample = false;
                return;
            }
            long wait = Math.max(0, actedNanos - startNanos);
            if (wait > maxLook) {
                // a pause, not a pace: it says when to stop looking, not how long to look
                longWaits = Math.min(longWaits + 1, LONG_WAITS_TO_SLEEP);
            } else {
                longWaits = 0; // the other side keeps pace again: look
                if (lookCovered) {
                    // only waits a look ended: a sleeper's wait includes the other side's wake
                    // syscall, and would stretch the look after every burst (issue 15's bursts)
                    shortWait += (wait - shortWait) >> SHIFT;
                }
            }
        }

        /** Waits in a row that a whole look would not have covered (at most {@value #LONG_WAITS_TO_SLEEP}). */
        int longWaits() {
            return longWaits;
        }

        /** The recent short wait, ns: what a look lasts about twice of. */
        long shortWait() {
            return shortWait;
        }

        private static boolean spinFor(long nanos, BooleanSupplier quiet) {
            long start = System.nanoTime();
            long next = start + LOOK_EVERY_NANOS / 4; // the first look soon: recent waits were short
            while (true) {
                for (int i = 0; i < 8; i++) {
                    Thread.onSpinWait();
                }
                long now = System.nanoTime();
                if (now - next >= 0) {
                    if (!quiet.getAsBoolean()) {
                        return true;
                    }
                    if (now - start >= nanos) {
                        return false;
                    }
                    next = now + LOOK_EVERY_NANOS;
                }
            }
        }

        /** One CPU: a spin would only keep the other side off the CPU, so give it away and look on return. */
        private static boolean yieldFor(long nanos, BooleanSupplier quiet) {
            long start = System.nanoTime();
            do {
                Thread.yield();
                if (!quiet.getAsBoolean()) {
                    return true;
                }
            } while (System.nanoTime() - start < nanos);
            return false;
        }
    }
}
