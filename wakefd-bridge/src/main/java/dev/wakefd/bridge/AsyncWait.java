package dev.wakefd.bridge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A wait for one side of a bridge that completes a future instead of blocking a thread: look,
 * and if there is nothing, announce, re-check and ask the Waker for a future
 * ({@link dev.wakefd.Waker#readAsync()}, completed by wakefd's shared poller); when it completes, withdraw
 * and look again. The announce/re-check/withdraw steps are the same as the blocking wait's, so
 * the no-lost-wake argument in {@link Ring} covers this too.
 *
 * <p>Invariant: exactly one thread at a time holds the wait's turn (starter, Waker callback or
 * canceller, handed over by a CAS on {@code turn}); only the holder touches the ring, and the
 * side's {@link SideOwner} claim is released last, after the final withdraw, so the next wait a
 * callback starts (inline or not) never overlaps this one. See docs/design/bridge-ring.md ("Side
 * ownership"). Cancelling the result cancels the Waker's future (which consumes nothing) and
 * withdraws.
 */
final class AsyncWait<R> implements BiConsumer<Long, Throwable>, SideOwner.Finishing {

    /** What the wait is for: looks once. */
    interface Look {
        /** The outcome if there is one (may be null), else {@link #NOT_YET}. Throws if the side is closed. */
        Object look();
    }

    static final Object NOT_YET = new Object();

    /** Who holds the turn: a thread running a step, nobody (waiting on the Waker's future), or done. */
    private static final int RUNNING = 0, PARKED = 1, DONE = 2;

    private final WaitingSide side;
    private final Look look;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private final AtomicInteger turn = new AtomicInteger(RUNNING); // the starter holds it
    private volatile CompletableFuture<Long> inner;

    private AsyncWait(WaitingSide side, Look look) {
        this.side = side;
        this.look = look;
    }

    static <R> CompletableFuture<R> start(WaitingSide side, Look look, String operation) {
        AsyncWait<R> w = new AsyncWait<>(side, look);
        side.owner.claim(w, operation);
        w.result.whenComplete((r, t) -> w.resultDone());
        w.run(null);
        return w.result;
    }

    /** Holding the turn: look, or announce and hand the turn to the Waker's future. */
    private void run(Throwable wakeFailure) {
        while (true) {
            if (result.isDone()) { // cancelled while we held the turn
                stop();
                return;
            }
            Object r;
            boolean wait;
            try {
                r = look.look();
                if (r != NOT_YET) {
                    complete(r, null);
                    return;
                }
                if (wakeFailure != null) { // the Waker closed and there is nothing to take
                    complete(null, wakeFailure);
                    return;
                }
                wait = side.prepareToWait();
            } catch (RuntimeException e) {
                complete(null, e);
                return;
            }
            if (!wait) {
                continue;
            }
            CompletableFuture<Long> f;
            try {
                f = side.signal.readAsync();
            } catch (RuntimeException e) {
                side.withdraw();
                complete(null, e);
                return;
            }
            inner = f; // volatile, before the turn is given away
            turn.set(PARKED);
            if (result.isDone() && turn.compareAndSet(PARKED, RUNNING)) { // a cancel landed and left it to us
                f.cancel(false);
                stop();
                return;
            }
            f.whenComplete(this); // may run at once, here, for a wake already pending
            return;
        }
    }

    /** The Waker's future completed: take the turn (unless a cancel took it), withdraw, look again. */
    @Override
    public void accept(Long n, Throwable failure) {
        if (!turn.compareAndSet(PARKED, RUNNING)) {
            return; // a cancel holds the turn and cleans up
        }
        side.withdraw();
        run(failure);
    }

    /** Holding the turn, nothing announced: done; releases the side before completing, so a callback may start the next wait at once. */
    @SuppressWarnings("unchecked")
    private void complete(Object r, Throwable failure) {
        turn.set(DONE);
        side.owner.release(this);
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete((R) r);
        }
    }

    /** Holding the turn after a cancel: withdraw, then release the side (last). */
    private void stop() {
        side.withdraw();
        turn.set(DONE);
        side.owner.release(this);
    }

    /** The result completed: by us (turn is DONE), or by a cancel; then clean up if nobody holds the turn. */
    private void resultDone() {
        if (turn.compareAndSet(PARKED, RUNNING)) {
            CompletableFuture<Long> f = inner;
            if (f != null) {
                f.cancel(false); // its callback finds the turn taken and does nothing
            }
            stop();
        }
        // RUNNING: the thread in run() sees the cancel at its next check and stops
    }

    /**
     * True once this wait will take no further step but the release of its claim: it reached
     * DONE (the release is its next action, in {@link #complete} and {@link #stop}) or its result
     * was cancelled (the turn's holder stops at its next check). A claimer that finds such a
     * holder waits for the release instead of reporting misuse.
     */
    @Override
    public boolean finishing() {
        return turn.get() == DONE || result.isDone();
    }

    @Override
    public String toString() {
        return "a pending future";
    }
}
