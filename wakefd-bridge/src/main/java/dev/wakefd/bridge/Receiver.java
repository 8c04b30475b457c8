package dev.wakefd.bridge;

import dev.wakefd.Poller;
import dev.wakefd.Waker;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The consumer's end of a {@link Bridge}: one consumer at a time (see {@link Bridge} on misuse).
 * Pick the way of waiting that suits the runtime the consumer lives in:
 *
 * <pre>{@code
 * Receiver<Event> in = bridge.receiver();
 * // a thread, platform or virtual:
 * for (Event e; (e = in.receive()) != null; ) handle(e);           // null = end of stream
 * // batches: one wake serves a burst
 * while (in.receiveMany(this::handle, 256) >= 0) { }                 // -1 = end of stream
 * // a future chain:
 * in.receiveAsync().thenAccept(e -> ...);
 * // a Poller: handlers run on the poller thread
 * in.register(poller, this::handle, () -> System.out.println("done"));
 * // any other event loop (Netty, ...): watch signal().fd(), then
 * in.signal().consume();
 * switch (in.pump(this::handle, 1024)) { case MORE -> reschedule(); case WAIT, END -> { } }
 * }</pre>
 *
 * <p>After end of stream the receive calls return null / -1 / false. After this end's
 * {@link #close()} every call throws {@link BridgeClosedException}.
 *
 * @param <T> the type of the items
 */
public final class Receiver<T> implements AutoCloseable {
    /** What {@link #pump} left behind. */
    public enum Round {
        /** The budget ran out with items possibly left: call {@code pump} again soon. */
        MORE,
        /** The bridge is empty and the wait is announced: wait for {@link #signal()}. */
        WAIT,
        /** End of stream: every item was received. */
        END
    }

    private static final int POLLER_BUDGET = 1024;

    private final WaitingSide side;
    private final Ring ring; // side.ring, held here too: one load less per item on the fast path
    private volatile PumpRegistration registration;

    Receiver(Bridge<T> bridge) {
        this.side = new WaitingSide(bridge, false);
        this.ring = side.ring;
    }

    /**
     * The next item, or null if there is none now. Never blocks.
     *
     * @return the next item, or null if there is none now
     */
    @SuppressWarnings("unchecked")
    public T poll() {
        return (T) ring.poll();
    }

    /**
     * The next item, waiting while the bridge is empty (a platform thread sleeps on a futex, a
     * virtual thread parks without pinning its carrier, and the producer wakes it); null at end of stream.
     *
     * @return the next item, waiting while the bridge is empty (a platform thread sleeps on a futex, a virtual thread parks without pinning its carrier, and the producer wakes it); null at end of stream
     * @throws InterruptedException if interrupted while waiting (nothing was taken)
     */
    @SuppressWarnings("unchecked")
    public T receive() throws InterruptedException {
        Object e = ring.poll();
        return e != null ? (T) e : (T) receiveSlow(-1);
    }

    /**
     * As {@link #receive()}, giving up after {@code timeout}: null on timeout or at end of stream
     * ({@link #isEndOfStream()} tells which).
     *
     * @param timeout how long to wait at most
     * @return the item, or null on timeout or at end of stream
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    @SuppressWarnings("unchecked")
    public T receive(Duration timeout) throws InterruptedException {
        long nanos = Sender.checkTimeout(timeout);
        Object e = ring.poll();
        return e != null ? (T) e : (T) receiveSlow(nanos);
    }

    private Object receiveSlow(long timeoutNanos) throws InterruptedException {
        side.owner.claim(Thread.currentThread(), "receive");
        try {
            long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos; // untimed: no clock read
            while (true) {
                Object e = ring.poll();
                if (e != null || ring.endOfStream()) {
                    return e;
                }
                if (!side.await(timeoutNanos < 0, deadline)) {
                    return ring.poll();
                }
            }
        } finally {
            side.owner.release(Thread.currentThread());
        }
    }

    /**
     * Takes up to {@code max} items now, handing each to {@code sink}; returns how many. One
     * index publication for the lot. If {@code sink} throws, the items it was given, including
     * the one it threw on, count as received.
     *
     * @param sink receives each item, on the calling thread
     * @param max the most items to take (at least 1)
     * @return how many items were taken (0 if none was there)
     * @throws IllegalArgumentException if max is below 1
     */
    public int drainTo(Consumer<? super T> sink, int max) {
        checkMax(max);
        return ring.drainTo(sink, max);
    }

    /**
     * Waits until there is at least one item, then takes up to {@code max} into {@code sink}:
     * returns how many (at least 1), or -1 at end of stream.
     *
     * @param sink receives each item, on the calling thread
     * @param max the most items to take (at least 1)
     * @return how many items were taken (at least 1), or -1 at end of stream
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public int receiveMany(Consumer<? super T> sink, int max) throws InterruptedException {
        checkMax(max);
        int n = ring.drainTo(sink, max);
        if (n > 0) {
            return n;
        }
        side.owner.claim(Thread.currentThread(), "receiveMany");
        try {
            while (true) {
                n = ring.drainTo(sink, max);
                if (n > 0) {
                    return n;
                }
                if (ring.endOfStream()) {
                    return -1;
                }
                side.await(true, 0);
            }
        } finally {
            side.owner.release(Thread.currentThread());
        }
    }

    /**
     * A future completed with true once there are items (at once if there are), false at end of
     * stream; otherwise completed on wakefd's shared poller thread. Take the items with
     * {@link #drainTo} or {@link #poll}. Cancelling it withdraws the wait.
     *
     * @return a future completed with true once there are items (at once if there are), false at end of stream; otherwise completed on wakefd's shared poller thread
     */
    public CompletableFuture<Boolean> readableAsync() {
        return AsyncWait.start(
                side,
                () -> {
                    ring.checkReceivable();
                    if (!ring.isEmpty()) {
                        return Boolean.TRUE;
                    }
                    return ring.endOfStream() ? Boolean.FALSE : AsyncWait.NOT_YET;
                },
                "readableAsync");
    }

    /**
     * A future of the next item (null at end of stream), completed at once if there is one,
     * otherwise on wakefd's shared poller thread. Cancelling it withdraws the wait; an attempt
     * already running when the cancel lands may still take the item, which is then lost to this
     * consumer, so prefer {@link #readableAsync()} where cancellation matters.
     *
     * @return a future of the next item (null at end of stream), completed at once if there is one, otherwise on wakefd's shared poller thread
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<T> receiveAsync() {
        try {
            Object e = ring.poll();
            if (e != null) {
                return CompletableFuture.completedFuture((T) e);
            }
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        return AsyncWait.start(
                side,
                () -> {
                    Object e = ring.poll();
                    if (e != null) {
                        return e;
                    }
                    return ring.endOfStream() ? null : AsyncWait.NOT_YET;
                },
                "receiveAsync");
    }

    /**
     * For event loops: the consumer found the bridge empty and will wait for {@link #signal()}
     * to turn readable. Announces it and re-checks: true if it may now wait; false if an item
     * arrived or a side closed meanwhile (look again). {@link #pump} does this for you.
     *
     * @return true if it may now wait; false if an item arrived or a side closed meanwhile
     */
    public boolean prepareToWait() {
        return ring.consumerPrepareToWait();
    }

    /**
     * One event-loop round: takes up to {@code budget} items into {@code sink}, and if the
     * bridge ran empty, announces the wait. Call it when {@link #signal()} turned readable (after
     * consuming the signal) and whenever it returned {@link Round#MORE}. Never blocks.
     *
     * @param sink receives each item, on the calling thread
     * @param budget the most items to hand over in this round (at least 1)
     * @return what to do next: {@link Round#MORE}, {@link Round#WAIT} or {@link Round#END}
     * @throws IllegalArgumentException if budget is below 1
     */
    public Round pump(Consumer<? super T> sink, int budget) {
        checkMax(budget);
        ring.consumerWithdraw(); // awake now: no wake needed while we drain
        int left = budget;
        while (true) {
            int n = ring.drainTo(sink, left);
            left -= n;
            if (left == 0) {
                return Round.MORE;
            }
            if (n == 0) {
                if (ring.endOfStream()) {
                    return Round.END;
                }
                if (ring.consumerPrepareToWait()) {
                    return Round.WAIT;
                }
            }
        }
    }

    /**
     * Delivers every item to {@code onItem} on the poller's thread, then calls
     * {@code onEndOfStream} there once and ends the registration. Rounds take at most 1024 items,
     * so other fds on the poller get their turn. Items already in the bridge are delivered too.
     * While registered, this end belongs to the poller: other receive calls that wait throw.
     * If {@code onItem} throws, the poller logs it and delivery goes on with the next item.
     *
     * @param poller the poller whose thread runs the callbacks
     * @param onItem called with each item, on the poller thread
     * @param onEndOfStream called once after the last item, on the poller thread
     * @return the registration; cancel it to stop
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public Poller.Registration register(Poller poller, Consumer<? super T> onItem, Runnable onEndOfStream)
            throws IOException {
        Objects.requireNonNull(onItem, "register: onItem is null");
        Objects.requireNonNull(onEndOfStream, "register: onEndOfStream is null");
        PumpRegistration r = new PumpRegistration(onItem, onEndOfStream);
        side.owner.claim(r, "register");
        try {
            r.inner = poller.register(side.signal, n -> r.round());
        } catch (IOException | RuntimeException e) {
            side.owner.release(r);
            throw e;
        }
        registration = r;
        side.signal.wake(); // the first round, for items sent before registration
        return r;
    }

    /** A poller registration that pumps the bridge. */
    private final class PumpRegistration implements Poller.Registration {
        private final Consumer<? super T> onItem;
        private final Runnable onEnd;
        volatile Poller.Registration inner;
        private volatile boolean active = true;

        PumpRegistration(Consumer<? super T> onItem, Runnable onEnd) {
            this.onItem = onItem;
            this.onEnd = onEnd;
        }

        void round() {
            if (!active) {
                return;
            }
            Round r;
            try {
                r = pump(onItem, POLLER_BUDGET);
            } catch (BridgeClosedException e) {
                cancel(); // the receiver closed
                return;
            } catch (RuntimeException | Error e) {
                side.signal.wake(); // come back for the rest; the poller logs e
                throw e;
            }
            if (r == Round.MORE) {
                side.signal.wake(); // let the poller's other fds run first
            } else if (r == Round.END) {
                cancel();
                onEnd.run();
            }
        }

        @Override
        public void cancel() {
            if (!active) {
                return;
            }
            active = false;
            Poller.Registration in = inner;
            if (in != null) {
                in.cancel();
            }
            ring.consumerWithdraw();
            side.owner.release(this);
        }

        @Override
        public boolean isActive() {
            return active && inner.isActive();
        }

        @Override
        public String toString() {
            return "a Poller registration";
        }
    }

    /**
     * The consumer's wake signal, readable when a consumer that announced may go on. Register its
     * fd with any event loop, consume it ({@link Waker#consume()}) when readable, then
     * {@link #pump}. It is owned by the bridge: never close it.
     *
     * @return the consumer's wake signal, readable when a consumer that announced may go on
     */
    public Waker signal() {
        return side.signal;
    }

    /** {@return true once the sender closed and every item it sent has been received} */
    public boolean isEndOfStream() {
        return ring.endOfStream();
    }

    /**
     * Items received so far.
     *
     * @return the number of items received so far
     */
    public long received() {
        return ring.head;
    }

    /**
     * Closes this end: the producer, if waiting for room, wakes with a
     * {@link BridgeClosedException}, and so do its later sends; items still in the bridge are
     * abandoned ({@code sent - received} in {@link Bridge#metrics()}). Ends a poller
     * registration. Idempotent.
     */
    @Override
    public void close() {
        side.bridge.close(Ring.RECEIVER_CLOSED);
        PumpRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
    }

    /** {@return true once this end has been closed} */
    public boolean isClosed() {
        return (ring.gate() & Ring.RECEIVER_CLOSED) != 0;
    }

    private static void checkMax(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max " + max + " must be at least 1");
        }
    }

    @Override
    public String toString() {
        return "Receiver[" + side.bridge + "]";
    }
}
