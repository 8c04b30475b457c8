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
     * The default: sleep at once when looking cannot pay (recent waits were longer than a wake
     * costs, or this thread woke, within the last 2 µs, a thread that has not run yet, whose
     * answer cannot come before it gets a CPU; such a wait is left out of the recent waits);
     * otherwise look for about twice the recent wait, at most
     * {@code maxLookNanos}. See docs/design/bridge-ring.md.
     */
    final class Adaptive implements WaitPolicy {
        /** How often a spin looks at the ring: rarely enough that the other side's index line is not pulled back and forth per item. */
        static final long LOOK_EVERY_NANOS = 1_000;
        /** A recent wait at least this long (or half the maximum look) makes a wait sleep at once. */
        static final long LOOK_PAYS_BELOW_NANOS = 5_000;
        /** A wake asked for at most this long before a wait counts as a hand-off from idle. */
        static final long WOKE_JUST_NOW_NANOS = 2_000;
        /** {@link #WOKE_JUST_NOW_NANOS}; tests set it so that their checks never depend on timing. */
        static volatile long wokeJustNowNanos = WOKE_JUST_NOW_NANOS;
        /** One sample's weight in the recent wait: 1/4. */
        private static final int SHIFT = 2;
        /** Samples are clamped to this, so one long idle gap does not take long to forget. */
        private static final long SAMPLE_CAP_NANOS = 1_000_000;

        private final long maxLook;
        private final boolean oneCpu;
        private long recentWait; // EWMA of how long the other side took to act, ns
        private boolean skipSample; // this wait began by waking the other side: its length says nothing about a stream
        // statistics for tests and docs
        long spins, yields, sleepsAtOnce;

        Adaptive(long maxLookNanos, boolean oneCpu) {
            this.maxLook = maxLookNanos;
            this.oneCpu = oneCpu;
            this.recentWait = 0; // optimistic: the first wait of a new bridge looks briefly
        }

        @Override
        public boolean look(BooleanSupplier quiet) {
            skipSample = false;
            if (maxLook <= 0) {
                sleepsAtOnce++;
                return false;
            }
            // Wakes only count if asked for just before this wait: a hand-off from idle. In a
            // stream the last wake lies a ring's worth of items back, and yielding then sleeping
            // there could make both sides sleep in turn (issue 15).
            // A wait that began while the other side was still asleep (we woke it, it has not run)
            // lasts that wake, not the other side's pace: left out of the recent waits, or a
            // stream's waits average above a wake's cost and both sides sleep at once (issue 15).
            skipSample = Sleeper.wokeAThreadThatHasNotRun();
            boolean wokeJustNow = skipSample && Sleeper.wokeAThreadThatHasNotRunWithin(wokeJustNowNanos);
            if (wokeJustNow) {
                // Our CPU is the nearest one for the thread we just woke: give it away once (it
                // runs at once if it was queued here), then sleep. Spinning here would keep this
                // CPU busy and send the wakee to a halted one.
                yields++;
                Thread.yield();
                return !quiet.getAsBoolean();
            }
            long budget = Math.min(maxLook, 2 * recentWait + LOOK_EVERY_NANOS);
            if (recentWait >= Math.min(LOOK_PAYS_BELOW_NANOS, maxLook / 2)) {
                sleepsAtOnce++;
                return false;
            }
            spins++;
            return oneCpu ? yieldFor(budget, quiet) : spinFor(budget, quiet);
        }

        @Override
        public void observed(long startNanos, long actedNanos) {
            if (skipSample) {
                // It began while the other side was asleep (we had just woken it), so it lasted a
                // wake, not the other side's pace: averaging it in made streams sleep at once.
                skipSample = false;
                return;
            }
            long sample = Math.max(0, Math.min(SAMPLE_CAP_NANOS, actedNanos - startNanos));
            recentWait += (sample - recentWait) >> SHIFT;
        }

        long recentWait() {
            return recentWait;
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
