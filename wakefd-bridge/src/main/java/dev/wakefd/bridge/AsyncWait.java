package dev.wakefd.bridge;

import dev.wakefd.Waker;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A wait for one side of a bridge that completes a future instead of blocking a thread: look,
 * and if there is nothing, announce, re-check and ask the Waker for a future
 * ({@link Waker#readAsync()}, completed by wakefd's shared poller); when it completes, withdraw
 * and look again. The announce/re-check/withdraw steps are the same as the blocking wait's, so
 * the no-lost-wake argument in {@link Ring} covers this too.
 *
 * <p>Cancelling the result cancels the Waker's future (which consumes nothing) and withdraws.
 */
final class AsyncWait<R> implements BiConsumer<Long, Throwable> {

    /** One side's steps. */
    interface Side<R> {
        /** The outcome if there is one (may be null), else {@link #NOT_YET}. Throws if the side is closed. */
        Object look();

        boolean prepareToWait();

        void withdraw();

        Waker signal();

        SideOwner owner();
    }

    static final Object NOT_YET = new Object();

    private final Side<R> side;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private volatile CompletableFuture<Long> inner;

    private AsyncWait(Side<R> side) {
        this.side = side;
    }

    static <R> CompletableFuture<R> start(Side<R> side, String operation) {
        AsyncWait<R> w = new AsyncWait<>(side);
        side.owner().claim(w, operation);
        w.result.whenComplete((r, t) -> w.cancelled());
        w.step();
        return w.result;
    }

    private void step() {
        while (!result.isDone()) {
            Object r;
            try {
                r = side.look();
            } catch (RuntimeException e) {
                finish(null, e);
                return;
            }
            if (r != NOT_YET) {
                finish(r, null);
                return;
            }
            if (!side.prepareToWait()) {
                continue;
            }
            CompletableFuture<Long> f = side.signal().readAsync();
            inner = f;
            if (result.isDone()) { // cancelled meanwhile
                f.cancel(false);
            }
            f.whenComplete(this); // may run at once, here, for a wake already pending
            return;
        }
    }

    /** The Waker's future completed. */
    @Override
    public void accept(Long n, Throwable failure) {
        side.withdraw();
        if (result.isDone()) {
            return;
        }
        if (failure != null) {
            // A closed Waker: look once more, which throws or ends if the bridge closed.
            Object r;
            try {
                r = side.look();
            } catch (RuntimeException e) {
                finish(null, e);
                return;
            }
            finish(r == NOT_YET ? null : r, r == NOT_YET ? failure : null);
            return;
        }
        step();
    }

    /** Releases the side before completing, so a callback may start the next wait at once. */
    @SuppressWarnings("unchecked")
    private void finish(Object r, Throwable failure) {
        side.owner().release(this);
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete((R) r);
        }
    }

    private void cancelled() {
        side.owner().release(this);
        CompletableFuture<Long> f = inner;
        if (f != null && !f.isDone()) {
            f.cancel(false); // its whenComplete withdraws the announcement
        }
    }

    @Override
    public String toString() {
        return "a pending future";
    }
}
