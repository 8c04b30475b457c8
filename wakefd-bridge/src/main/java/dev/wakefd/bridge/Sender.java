package dev.wakefd.bridge;

import dev.wakefd.Poller;
import dev.wakefd.Waker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The producer's end of a {@link Bridge}: one producer at a time (see {@link Bridge} on misuse).
 *
 * <pre>{@code
 * Sender<Event> out = bridge.sender();
 * if (out.pressure() == Pressure.CRITICAL) shed(event);   // before blocking
 * else out.send(event);                                   // waits while full, in any thread
 * out.sendMany(batch);                                    // one publication, one wake check
 * out.close();                                            // end of stream: all sent is delivered
 * }</pre>
 *
 * <p>Every send throws {@link BridgeClosedException} after this end's {@link #close()} or after
 * the receiver's close, including a send that was waiting for room when the receiver closed.
 * Items are never null ({@link NullPointerException}).
 *
 * @param <T> the type of the items
 */
public final class Sender<T> implements AutoCloseable {
    private final WaitingSide side;
    private final Ring ring; // side.ring, held here too: one load less per item on the fast path

    Sender(Bridge<T> bridge) {
        this.side = new WaitingSide(bridge, true);
        this.ring = side.ring;
    }

    /**
     * Adds {@code item} if there is room; false if the bridge is full. Never blocks.
     *
     * @param item the item
     * @return true if the item was added, false if the bridge is full
     */
    public boolean offer(T item) {
        return ring.offer(Objects.requireNonNull(item, "offer: item is null"));
    }

    /**
     * Adds {@code item}, waiting while the bridge is full: a platform thread sleeps on a
     * futex, a virtual thread parks without pinning its carrier.
     *
     * @param item the item
     * @throws InterruptedException if interrupted while waiting (the item was not added)
     */
    public void send(T item) throws InterruptedException {
        if (!offer(item)) {
            sendSlow(item, -1);
        }
    }

    /**
     * As {@link #send(Object)}, giving up after {@code timeout}: false if there was no room in
     * time (the item was not added).
     *
     * @param item the item
     * @param timeout how long to wait at most
     * @return true if the item was added, false if there was no room in time
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean send(T item, Duration timeout) throws InterruptedException {
        long nanos = checkTimeout(timeout);
        return offer(item) || sendSlow(item, nanos);
    }

    private boolean sendSlow(T item, long timeoutNanos) throws InterruptedException {
        side.owner.claim(Thread.currentThread(), "send");
        try {
            long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos; // untimed: no clock read
            while (true) {
                if (ring.offer(item)) {
                    return true;
                }
                if (!side.await(timeoutNanos < 0, deadline)) {
                    return ring.offer(item);
                }
            }
        } finally {
            side.owner.release(Thread.currentThread());
        }
    }

    /**
     * Adds all of {@code items} in order, waiting for room as needed; each batch of room is
     * filled with one publication (one wake check). A null anywhere in {@code items} is refused
     * with a {@link NullPointerException} before anything is sent.
     *
     * @param items the items, in order
     * @throws InterruptedException if interrupted while waiting; the items before
     *     {@link #sent()}'s increase were added, the rest were not
     */
    public void sendMany(List<? extends T> items) throws InterruptedException {
        Objects.requireNonNull(items, "sendMany: items is null");
        if (ring.offerAll(items, "sendMany")) {
            return; // it fitted: one pass, nulls checked as written
        }
        int n = checkItems(items, "sendMany"); // more than the room: refuse a null before any is sent
        int done = ring.offerMany(items, 0, n);
        if (done == n) {
            return;
        }
        side.owner.claim(Thread.currentThread(), "sendMany");
        try {
            while (done < n) {
                int k = ring.offerMany(items, done, n);
                done += k;
                if (k == 0) {
                    side.await(true, 0);
                }
            }
        } finally {
            side.owner.release(Thread.currentThread());
        }
    }

    /**
     * Adds as many of {@code items}, from the first, as there is room for; returns how many.
     *
     * @param items the items, in order
     * @return how many items were added, from the first
     */
    public int offerMany(List<? extends T> items) {
        return ring.offerMany(items, 0, checkItems(items, "offerMany"));
    }

    /** A batch is all or nothing: a null anywhere is refused before anything is written. */
    private static int checkItems(List<?> items, String operation) {
        Objects.requireNonNull(items, operation + ": items is null");
        int n = items.size();
        for (int i = 0; i < n; i++) {
            if (items.get(i) == null) {
                throw new NullPointerException(
                        operation + ": item " + i + " of " + n + " is null (items must not be null); nothing was sent");
            }
        }
        return n;
    }

    /**
     * A future completed (with null) once the bridge has room, at once if it has; otherwise on
     * wakefd's shared poller thread. It fails with {@link BridgeClosedException} if a side closes
     * first. Cancelling it withdraws the wait.
     *
     * @return a future completed (with null) once the bridge has room, at once if it has; otherwise on wakefd's shared poller thread
     */
    public CompletableFuture<Void> writableAsync() {
        return AsyncWait.start(
                side,
                () -> {
                    ring.checkSendable();
                    return ring.size() < ring.capacity ? null : AsyncWait.NOT_YET;
                },
                "writableAsync");
    }

    /**
     * Adds {@code item} now if there is room, otherwise once there is: the future completes (with
     * null) when the item is in the bridge, or fails with {@link BridgeClosedException}. Send
     * nothing else until it completes, or order is lost. Cancelling it stops further attempts; an
     * attempt already running when the cancel lands may still add the item.
     *
     * @param item the item
     * @return a future completed once the item is in the bridge
     */
    public CompletableFuture<Void> sendAsync(T item) {
        Objects.requireNonNull(item, "sendAsync: item is null");
        try {
            if (ring.offer(item)) {
                return CompletableFuture.completedFuture(null);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return AsyncWait.start(side, () -> ring.offer(item) ? null : AsyncWait.NOT_YET, "sendAsync");
    }

    /**
     * For event loops: the producer found the bridge full ({@link #offer} returned false) and
     * will wait for {@link #signal()} to turn readable. Announces it and re-checks: true if it
     * may now wait (the signal comes once {@link Bridge.Builder#resumeWhenFree} slots are free);
     * false if that much room appeared meanwhile (offer again). Throws if a side closed.
     *
     * @return true if it may now wait; false if that much room appeared meanwhile
     */
    public boolean prepareToWait() {
        boolean wait = ring.producerPrepareToWait();
        if (!wait) {
            ring.checkSendable();
        }
        return wait;
    }

    /**
     * Calls {@code onWritable} on the poller thread each time a producer that announced
     * ({@link #prepareToWait()}) is woken because the bridge has room, or a side closed.
     *
     * @param poller the poller whose thread runs the callbacks
     * @param onWritable called on the poller thread when the ring has room
     * @return the registration; cancel it to stop
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public Poller.Registration register(Poller poller, Runnable onWritable) throws IOException {
        Objects.requireNonNull(onWritable, "register: onWritable is null");
        return poller.register(side.signal, n -> {
            ring.producerWithdraw();
            onWritable.run();
        });
    }

    /**
     * The producer's wake signal, readable when a producer that announced may go on. Register its
     * fd with any event loop; consume it ({@link Waker#consume()}) when it turns readable. It is
     * owned by the bridge: never close it.
     *
     * @return the producer's wake signal, readable when a producer that announced may go on
     */
    public Waker signal() {
        return side.signal;
    }

    /** {@return the fill level as a pressure state (reads the consumer's index: not free on a hot path)} */
    public Pressure pressure() {
        return side.bridge.pressure(ring.size());
    }

    /**
     * Free slots now (a lower bound while the consumer runs).
     *
     * @return the number of free slots now
     */
    public int remainingCapacity() {
        return (int) (ring.capacity - ring.size());
    }

    /**
     * Items sent so far.
     *
     * @return the number of items sent so far
     */
    public long sent() {
        return ring.tail;
    }

    /**
     * Ends the stream: the receiver gets every item sent before, then end of stream. Later sends
     * throw. Idempotent.
     */
    @Override
    public void close() {
        side.bridge.close(Ring.SENDER_CLOSED);
    }

    /** {@return true once this end has been closed} */
    public boolean isClosed() {
        return (ring.gate() & Ring.SENDER_CLOSED) != 0;
    }

    static long checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout " + timeout + " must not be negative");
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    @Override
    public String toString() {
        return "Sender[" + side.bridge + "]";
    }
}
