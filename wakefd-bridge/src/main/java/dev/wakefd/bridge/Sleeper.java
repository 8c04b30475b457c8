package dev.wakefd.bridge;

import dev.wakefd.internal.Futex;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * How one side of a bridge is woken, in the runtime it sleeps in: a platform thread blocked in
 * {@code send}/{@code receive} sleeps on the side's futex word, a virtual thread parks (a futex
 * wait would pin its carrier), and anything else waits on the side's {@link dev.wakefd.Waker}.
 * Invariant: a blocking caller stores itself in its announcement's line
 * ({@code Ring.consumerParking} / {@code producerParking}) before it announces (S1) and clears it
 * after it withdrew, so a wake asked for by its announcement finds it. The store is a plain one:
 * the volatile announcement S1 that follows it publishes it (a release), and the waker reads it
 * only after its volatile read P2 saw S1's value (an acquire). The futex word is a permit, as
 * LockSupport's: F1 the waker swaps in PERMIT and calls FUTEX_WAKE only if it swapped out
 * SLEEPING; F2 the sleeper moves EMPTY to SLEEPING (a CAS that fails only on a PERMIT, which it
 * takes) and waits while the word is SLEEPING; F3 after any return it swaps in EMPTY. Argument:
 * docs/design/bridge-ring.md ("Park, futex or eventfd").
 */
final class Sleeper implements Ring.Wake {
    private final Runnable wakeSignal;
    // An updater, not a VarHandle: the wake path runs in C1 code for a while (see Ring.consumerWithdraw)
    private static final AtomicLongFieldUpdater<Sleeper> UNPARKS =
            AtomicLongFieldUpdater.newUpdater(Sleeper.class, "unparks");

    private volatile long unparks; // written only by the waker (see wake)

    Sleeper(Runnable wakeSignal) {
        this(wakeSignal, false);
    }

    /**
     * For tests: {@code overwritePermit} true is a broken F2 (the negative control of
     * SleeperStressTest): a plain store of SLEEPING, which erases a PERMIT the waker swapped in
     * just before it, so that wake is lost.
     */
    Sleeper(Runnable wakeSignal, boolean overwritePermit) {
        this.wakeSignal = wakeSignal;
        this.overwritePermit = overwritePermit;
    }

    private final boolean overwritePermit;

    /** Called by the ring, after it read a sleeper's announcement that its publication satisfies. */
    @Override
    public void wake(Thread parked) {
        if (parked != null) {
            // A parked side is unparked only by the other side's thread: by its publications,
            // or by its close (a side's close also wakes its own sleeper, which finds nobody
            // parked: that side is busy closing). One writer, so a volatile count will do, not an
            // atomic add on the hand-off's path, and a release store, not a volatile one (a full
            // fence just before the unpark). A third thread closing a side while the other side
            // wakes it could lose one count here, never a wake.
            UNPARKS.lazySet(this, unparks + 1);
            if (futex(parked)) {
                givePermit();
            } else {
                LockSupport.unpark(parked);
            }
        } else {
            wakeSignal.run();
        }
    }

    long unparks() {
        return unparks;
    }

    /**
     * Sleeps until woken, interrupted or (if {@code untimed} is false) the deadline passes; may
     * also return early (a spare permit), as a park does. Returns false only when the deadline has
     * passed.
     *
     * @throws InterruptedException if interrupted (the status is cleared, as the JDK does)
     */
    boolean park(boolean untimed, long deadline) throws InterruptedException {
        long left = untimed ? -1 : deadline - System.nanoTime();
        if (!untimed && left <= 0) {
            return false;
        }
        Thread me = Thread.currentThread();
        if (futex(me)) {
            sleepOnWord(left);
        } else if (untimed) {
            LockSupport.park(this);
        } else {
            LockSupport.parkNanos(this, left);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return untimed || deadline - System.nanoTime() > 0;
    }

    /** F1: leaves a permit on the word and wakes the sleeper if it was past F2. */
    private void givePermit() {
        if ((int) WORD.getAndSet(word, 0L, PERMIT) == SLEEPING) {
            Futex.wake(word);
        }
    }

    /** F2, F3: one futex sleep of at most {@code nanos} (-1: no limit), ended early by an interrupt. */
    private void sleepOnWord(long nanos) {
        if (overwritePermit) {
            WORD.setVolatile(word, 0L, SLEEPING); // broken on purpose (negative control)
        } else if ((int) WORD.compareAndExchange(word, 0L, EMPTY, SLEEPING) != EMPTY) { // F2: only a PERMIT is there
            WORD.setVolatile(word, 0L, EMPTY); // takes it
            return;
        }
        Interruptor in = interruptor;
        if (in == null) {
            interruptor = in = new Interruptor(this); // made by the first platform thread that sleeps here
        }
        in.enter(); // an interrupt from now on wakes the word (already interrupted: at once)
        try {
            Futex.wait(word, SLEEPING, nanos); // returns at once unless the word still holds SLEEPING
        } finally {
            WORD.getAndSet(word, 0L, EMPTY); // F3: takes a permit, or takes back SLEEPING
            if (in.exit()) {
                interruptor = null; // a channel closes once: the next sleep makes a new one
            }
        }
    }

    /** For tests: a thread is past F2, in or about to enter its futex wait. */
    boolean sleepingOnWord() {
        return word != null && (int) WORD.getVolatile(word, 0L) == SLEEPING;
    }

    /** Whether {@code t} sleeps on the futex word: platform threads, where futexes work. */
    static boolean futex(Thread t) {
        return FUTEX && !t.isVirtual();
    }

    private static final boolean FUTEX = Futex.available();
    private static final int EMPTY = 0, PERMIT = 1, SLEEPING = 2;
    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();

    /** The futex word (offset 0) on a line of its own; null where futexes do not work. */
    private final MemorySegment word = FUTEX ? Futex.allocateWord() : null;

    /** Only the side's sleeping thread uses it, between F2 and F3 (one thread sleeps per side). */
    private Interruptor interruptor;

    /**
     * Turns {@link Thread#interrupt()} into a wake of the futex word: the JDK's hook for threads
     * blocked in I/O (begin/end of an interruptible channel), whose close, run by the interrupting
     * thread, does what F1 does. A channel closes once, so an interrupted sleep replaces it.
     */
    private static final class Interruptor extends AbstractInterruptibleChannel {
        private final Sleeper sleeper;

        Interruptor(Sleeper sleeper) {
            this.sleeper = sleeper;
        }

        void enter() {
            begin(); // an interrupted thread closes this at once (implCloseChannel)
        }

        /** True if an interrupt closed this channel. */
        boolean exit() {
            try {
                end(true);
                return !isOpen();
            } catch (AsynchronousCloseException e) { // ClosedByInterruptException: only an interrupt closes it
                return true;
            }
        }

        @Override
        protected void implCloseChannel() {
            sleeper.givePermit(); // F1, for the interrupt
        }
    }
}
