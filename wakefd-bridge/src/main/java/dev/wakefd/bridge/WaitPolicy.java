package dev.wakefd.bridge;

import java.util.function.BooleanSupplier;

/**
 * How a blocked side of a bridge looks before it sleeps: decided per wait from what this side
 * observed. The policy only chooses how to look (spin, yield, or not at all); sleeping always goes
 * through the ring's announce/re-check ({@link Ring}), so no policy can put a side to sleep
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
     *
     * @param otherWaking true while this side has woken the other side through this bridge and
     *     the other side has not run since (it will act as soon as it does)
     */
    boolean look(BooleanSupplier quiet, BooleanSupplier otherWaking);

    /**
     * As {@link #look(BooleanSupplier, BooleanSupplier)} for a blocked call: a look ends by
     * {@code deadline} ({@code System.nanoTime()} based) unless {@code untimed}, so that a long
     * look never makes a timed {@code send}/{@code receive} late.
     *
     * @param lone true if this side moved at most one item since its previous wait (a request
     *     and its answer, or a sparse stream): nothing suggests the other side is about to act
     */
    default boolean look(
            BooleanSupplier quiet, BooleanSupplier otherWaking, boolean untimed, long deadline, boolean lone) {
        return look(quiet, otherWaking);
    }

    /** A new policy of the default kind, looking for at most {@code maxLookNanos}. */
    static WaitPolicy adaptive(long maxLookNanos, boolean oneCpu) {
        return new Adaptive(maxLookNanos, oneCpu);
    }

    /**
     * The default: HotSpot's adaptive spinning, counted, not timed. A side keeps a credit of
     * looks: a look that saw the other side act earns one, a look that ended in a sleep costs
     * {@value #PENALTY}. With at least {@value #LOOK_CREDIT} it looks (for at most
     * {@value #LOOK_NANOS} ns, within {@code maxLookNanos}); with less, it sleeps at once, except
     * that every {@value #SAMPLE_EVERY}th wait that follows more than one item (on one CPU every
     * wait) takes a sample (one short look: a hit earns one, a miss clears the credit) so that a
     * stream that starts again earns its looks back, while the odd hit inside a burst does not.
     * A side that woke the other one, which has not run yet, looks
     * until it has run, then for at most an ordinary look more, within {@code maxLookNanos} (the
     * other side acts as soon as it runs; sleeping now would need a wake in turn), yielding after
     * {@value #YIELD_AFTER_NANOS} ns; such a look's failure costs nothing. No clock is read
     * outside a look. See docs/design/bridge-ring.md ("Waiting policy").
     */
    final class Adaptive implements WaitPolicy {
        /** How often a spin looks at the ring: rarely enough that the other side's index line is not pulled back and forth per item. */
        static final long LOOK_EVERY_NANOS = 1_000;
        /** The longest ordinary look: about what a sleep and a wake cost the two sides. */
        static final long LOOK_NANOS = 2_500;
        /**
         * A look for a woken side spins this long, then yields between looks: a woken thread
         * placed on this CPU waits behind the spin (issue 15's steady runs: 80 to 177 looks in a
         * run spun 1 ms without it, 5 to 12 with it).
         */
        static final long YIELD_AFTER_NANOS = 50_000;
        /** The most credit a side keeps. */
        static final int MAX_CREDIT = 8;
        /** The credit a whole look needs: two samples in a row that hit, after a failure. */
        static final int LOOK_CREDIT = 2;
        /** What a look that ended in a sleep costs. */
        static final int PENALTY = 4;
        /** Without credit, one wait in this many takes a sample. */
        static final int SAMPLE_EVERY = 4;
        /** A sample's spin: onSpinWait calls before it looks once (about 0.2 µs on x86). */
        static final int SAMPLE_SPINS = 8;

        private final long maxLook;
        private final long look;
        private final boolean oneCpu;
        private int credit = LOOK_CREDIT; // looks, as HotSpot's _SpinDuration: see the class comment
        private int tick; // waits without credit, for the samples
        // statistics for tests and docs
        long looks, wokenLooks, samples, sleepsAtOnce, hits, misses;

        Adaptive(long maxLookNanos, boolean oneCpu) {
            this.maxLook = maxLookNanos;
            this.look = Math.min(maxLookNanos, LOOK_NANOS);
            this.oneCpu = oneCpu;
        }

        @Override
        public boolean look(BooleanSupplier quiet, BooleanSupplier otherWaking) {
            return look(quiet, otherWaking, true, 0, false);
        }

        @Override
        public boolean look(
                BooleanSupplier quiet, BooleanSupplier otherWaking, boolean untimed, long deadline, boolean lone) {
            if (maxLook <= 0) {
                sleepsAtOnce++;
                return false;
            }
            if (otherWaking.getAsBoolean()) {
                // Mid-stream: we woke the other side, it acts as soon as it runs; sleeping now
                // would need its wake in turn, and both sides would sleep by turns (issue 15's
                // steady regression). Its failure says nothing about the stream: no penalty.
                looks++;
                wokenLooks++;
                return outcome(lookUntilRun(quiet, otherWaking, untimed, deadline), false);
            }
            if (credit >= LOOK_CREDIT) {
                looks++;
                return outcome(lookFor(look, quiet), true);
            }
            // On one CPU every such wait samples: its yield lets a thread this one has just woken
            // run at once, whose answer then finds this side awake (no park, no unpark). On more,
            // a lone item since the last wait never samples: a sample's spin would only delay
            // this side's sleep, which a vCPU the host placed beside the other side's waits for.
            if (!oneCpu && (lone || (++tick & (SAMPLE_EVERY - 1)) != 0)) {
                sleepsAtOnce++;
                return false; // recent looks failed: an idle stream, or a pause between bursts
            }
            samples++;
            boolean hit;
            if (oneCpu) {
                Thread.yield(); // the other side runs now if it can: its answer finds us awake
                hit = !quiet.getAsBoolean();
            } else {
                for (int i = 0; i < SAMPLE_SPINS; i++) {
                    Thread.onSpinWait();
                }
                hit = !quiet.getAsBoolean();
            }
            if (!hit) {
                credit = 0; // the hit before was a burst's, not a stream's
            }
            return outcome(hit, false);
        }

        private boolean outcome(boolean hit, boolean penalize) {
            if (hit) {
                hits++;
                if (credit < MAX_CREDIT) {
                    credit++;
                }
            } else {
                misses++;
                if (penalize) {
                    credit = Math.max(0, credit - PENALTY);
                }
            }
            return hit;
        }

        /**
         * Looks while the side this one woke has not run, for at most {@code maxLook}, then for
         * at most an ordinary look's length more: once it runs, it acts at once. A timed call's
         * look ends by its deadline.
         */
        private boolean lookUntilRun(
                BooleanSupplier quiet, BooleanSupplier otherWaking, boolean untimed, long deadline) {
            long now = System.nanoTime();
            long end = now + maxLook;
            if (!untimed && deadline - end < 0) {
                end = deadline;
            }
            long yieldFrom = now + YIELD_AFTER_NANOS;
            long next = now + LOOK_EVERY_NANOS / 4;
            boolean waking = true;
            while (true) {
                if (oneCpu || now - yieldFrom >= 0) {
                    // On one CPU the woken side runs only if we give it the CPU; on more, a
                    // woken side that is slow to run may be queued behind this very spin.
                    Thread.yield();
                } else {
                    for (int i = 0; i < 8; i++) {
                        Thread.onSpinWait();
                    }
                }
                now = System.nanoTime();
                if (oneCpu || now - next >= 0 || now - yieldFrom >= 0) {
                    if (!quiet.getAsBoolean()) {
                        return true;
                    }
                    if (waking && !otherWaking.getAsBoolean()) {
                        waking = false; // it ran: its answer comes within an ordinary look
                        end = Math.min(end, now + look);
                    }
                    if (now - end >= 0) {
                        return false;
                    }
                    next = now + LOOK_EVERY_NANOS;
                }
            }
        }

        private boolean lookFor(long nanos, BooleanSupplier quiet) {
            return oneCpu ? yieldFor(nanos, quiet) : spinFor(nanos, quiet);
        }

        /** Looks a wait may fail in a row before this side sleeps at once (tests). */
        int credit() {
            return credit;
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
