package dev.wakefd.bridge;

import dev.wakefd.Waker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * A bounded channel of object references from one producer to one consumer, each of which may run
 * in any runtime: a platform thread, a virtual thread, a {@link dev.wakefd.Poller} handler, an
 * event loop, or a chain of {@link java.util.concurrent.CompletableFuture}s. Items travel through
 * a lock-free ring; the two sides sleep on two coalescing {@link Waker}s (eventfds), woken only
 * on the transitions that matter: empty to non-empty for the consumer, full to "has room" for the
 * producer, and only when that side announced it was going to sleep. Under load, nobody sleeps
 * and no system call is made.
 *
 * <pre>{@code
 * Bridge<String> bridge = Bridge.open(1024);
 * Thread.ofVirtual().start(() -> {
 *     try (Sender<String> out = bridge.sender()) {      // close() = end of stream
 *         for (String line : lines) out.send(line);     // parks while full
 *     } catch (InterruptedException e) {
 *         Thread.currentThread().interrupt();
 *     }
 * });
 * try (Receiver<String> in = bridge.receiver()) {
 *     for (String s; (s = in.receive()) != null; ) {    // null = end of stream
 *         System.out.println(s);
 *     }
 * }
 * }</pre>
 *
 * <p><b>One producer, one consumer.</b> At most one thread may use the {@link Sender} at a time,
 * and one the {@link Receiver}; they may hand their end to another thread with a happens-before
 * edge (an executor, a future, a lock). Concurrent use is detected where it is cheap: a second
 * waiter or batch on the same side while one is in progress throws at once, and a second
 * producer (consumer) whose single-item calls collide on a slot throws. Two non-blocking
 * single-item calls that interleave without colliding are not detected and corrupt the order.
 *
 * <p><b>Lifetime.</b> The bridge owns its two eventfds; they are closed when both ends have been
 * closed (or by a Cleaner if the bridge is dropped without that).
 *
 * @param <T> the type of the items
 */
public final class Bridge<T> {
    private final Ring ring;
    private final Waker notEmpty;
    private final Waker notFull;
    final Sleeper consumerSleeper;
    final Sleeper producerSleeper;
    /** How each blocked side looks before it sleeps (one policy per side, see {@link WaitPolicy}). */
    final WaitPolicy consumerPolicy;

    final WaitPolicy producerPolicy;
    private final Sender<T> sender;
    private final Receiver<T> receiver;
    private final long elevatedAt; // slots
    private final long criticalAt;

    private Bridge(Builder b, Waker notEmpty, Waker notFull) {
        this.notEmpty = notEmpty;
        this.notFull = notFull;
        this.elevatedAt = (long) Math.ceil(b.elevated * b.capacity);
        this.criticalAt = (long) Math.ceil(b.critical * b.capacity);
        int resume = b.resume > 0 ? b.resume : Math.max(1, b.capacity / 8);
        this.consumerPolicy = b.policy != null ? b.policy.get() : WaitPolicy.adaptive(b.spinNanos, b.lookByYielding);
        this.producerPolicy = b.policy != null ? b.policy.get() : WaitPolicy.adaptive(b.spinNanos, b.lookByYielding);
        this.consumerSleeper = new Sleeper(() -> wake(notEmpty));
        this.producerSleeper = new Sleeper(() -> wake(notFull));
        this.ring = new Ring(b.capacity, resume, consumerSleeper, producerSleeper);
        this.sender = new Sender<>(this);
        this.receiver = new Receiver<>(this);
    }

    /**
     * A bridge of {@code capacity} slots (a power of two) with the default thresholds.
     *
     * @param <T> the type of the items
     * @param capacity the number of slots, a power of two
     * @return a bridge of {@code capacity} slots (a power of two) with the default thresholds
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static <T> Bridge<T> open(int capacity) throws IOException {
        return builder().capacity(capacity).open();
    }

    /** {@return a builder for a bridge with other settings than the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the producer's end} */
    public Sender<T> sender() {
        return sender;
    }

    /** {@return the consumer's end} */
    public Receiver<T> receiver() {
        return receiver;
    }

    /** {@return the number of slots} */
    public int capacity() {
        return ring.capacity;
    }

    /**
     * Items in the bridge now (approximate while both sides run).
     *
     * @return the number of items in the bridge now
     */
    public int size() {
        return (int) ring.size();
    }

    /** {@return a snapshot of the counters; see {@link BridgeMetrics}} */
    public BridgeMetrics metrics() {
        return new BridgeMetrics(
                ring.tail,
                ring.head,
                ring.consumerWakes,
                ring.producerWakes,
                notEmpty.writes() + notFull.writes(),
                consumerSleeper.unparks() + producerSleeper.unparks(),
                ring.consumerWaits,
                ring.producerWaits,
                Duration.ofNanos(ring.fullNanosSoFar()));
    }

    Ring ring() {
        return ring;
    }

    Waker notEmpty() {
        return notEmpty;
    }

    Waker notFull() {
        return notFull;
    }

    Pressure pressure(long size) {
        if (size >= criticalAt) {
            return Pressure.CRITICAL;
        }
        return size >= elevatedAt ? Pressure.ELEVATED : Pressure.NORMAL;
    }

    /** Closes one side; the second side to close releases the two eventfds. */
    void close(int bit) {
        int before = ring.close(bit);
        int both = Ring.SENDER_CLOSED | Ring.RECEIVER_CLOSED;
        if ((before & bit) == 0 && ((before | bit) & both) == both) {
            notEmpty.close();
            notFull.close();
        }
    }

    /** A wake that may race with the final close: harmless then, an error otherwise. */
    private void wake(Waker w) {
        try {
            w.wake();
        } catch (UncheckedIOException e) {
            int both = Ring.SENDER_CLOSED | Ring.RECEIVER_CLOSED;
            if ((ring.gate() & both) != both) {
                throw new UncheckedIOException(
                        "bridge wake signal " + w + " closed from outside the bridge", e.getCause());
            }
        }
    }

    @Override
    public String toString() {
        int g = ring.gate();
        return "Bridge[capacity=" + ring.capacity + ", size=" + ring.size()
                + ((g & Ring.SENDER_CLOSED) != 0 ? ", sender closed" : "")
                + ((g & Ring.RECEIVER_CLOSED) != 0 ? ", receiver closed" : "") + "]";
    }

    /** Settings for a {@link Bridge}. */
    public static final class Builder {
        private int capacity = 1024;
        private double elevated = 0.85;
        private double critical = 0.95;
        private int resume;
        private long spinNanos = DEFAULT_SPIN_NANOS;
        private boolean lookByYielding = Runtime.getRuntime().availableProcessors() == 1;

        /** The default {@link #spinBeforeSleep}: 1 ms (the look for a woken side; other looks are 2.5 µs). */
        static final long DEFAULT_SPIN_NANOS = 1_000_000;

        private Builder() {}

        /**
         * The longest a thread blocked in {@code send}/{@code receive} may look at the ring
         * before it announces a sleep; 0 sleeps at once. Default 1 ms, which only a side that
         * woke the other one can reach (below). Whether it looks at all
         * is decided per wait from what the side observed: each side keeps a credit of looks (a
         * look that saw the other side act earns one, a look that ended in a sleep costs four);
         * with credit it looks for up to 2.5 µs within this limit (a steady stream then needs no
         * sleeps and no wakes), without it sleeps at once (an idle stream, a pause between
         * bursts) and samples one wait in four (on one CPU every wait) with a short look, so that a stream that starts
         * again earns its looks back. A side that woke the other side, which has not run yet,
         * looks until that side has run (then up to 2.5 µs more), within this limit, spinning for
         * the first 50 µs and yielding after (a timed call's look ends by its deadline). With more than one CPU it looks by spinning; on one CPU,
         * where spinning would only keep the other side from running, by giving the CPU away
         * ({@code Thread.yield()}). The CPUs are counted by {@code Runtime.availableProcessors()}
         * when the builder is made (on Linux, the calling thread's affinity). Event-loop, poller
         * and future waits never look; they wait on the Waker at once. See
         * docs/design/bridge-ring.md ("Waiting policy").
         *
         * @param spin how long a blocked side looks before it sleeps
         * @return this builder
         * @throws IllegalArgumentException if negative or null
         */
        public Builder spinBeforeSleep(java.time.Duration spin) {
            java.util.Objects.requireNonNull(spin, "spinBeforeSleep: duration is null");
            if (spin.isNegative()) {
                throw new IllegalArgumentException("spinBeforeSleep(" + spin + "): must not be negative");
            }
            this.spinNanos = spin.compareTo(java.time.Duration.ofSeconds(1)) > 0 ? 1_000_000_000L : spin.toNanos();
            return this;
        }

        private java.util.function.Supplier<WaitPolicy> policy;

        /** Tests: each side's waiting policy instead of the adaptive one. */
        Builder waitPolicy(java.util.function.Supplier<WaitPolicy> policy) {
            this.policy = policy;
            return this;
        }

        /** Tests: look by yielding (as on one CPU) or by spinning, whatever the CPU count. */
        Builder lookByYielding(boolean yield) {
            this.lookByYielding = yield;
            return this;
        }

        /**
         * Slots in the ring: a power of two from 2 to 2^30. Default 1024.
         *
         * @param capacity the number of slots, a power of two
         * @return this builder
         * @throws IllegalArgumentException if not such a power of two
         */
        public Builder capacity(int capacity) {
            if (capacity < 2 || capacity > (1 << 30) || Integer.bitCount(capacity) != 1) {
                int hint = capacity < 2 ? 2 : capacity > (1 << 30) ? 1 << 30 : Integer.highestOneBit(capacity) << 1;
                throw new IllegalArgumentException(
                        "capacity " + capacity + " must be a power of two from 2 to 2^30 (for example " + hint + ")");
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * Fill fractions at which {@link Sender#pressure()} turns {@link Pressure#ELEVATED} and
         * {@link Pressure#CRITICAL}. Default 0.85 and 0.95.
         *
         * @param elevated the fill ratio from which pressure is ELEVATED
         * @param critical the fill ratio from which pressure is CRITICAL
         * @return this builder
         * @throws IllegalArgumentException unless {@code 0 < elevated <= critical <= 1}
         */
        public Builder pressure(double elevated, double critical) {
            if (!(elevated > 0 && elevated <= critical && critical <= 1)) {
                throw new IllegalArgumentException("pressure thresholds elevated=" + elevated + ", critical=" + critical
                        + " must satisfy 0 < elevated <= critical <= 1");
            }
            this.elevated = elevated;
            this.critical = critical;
            return this;
        }

        /**
         * How many slots must be free again before a producer that slept on a full bridge is
         * woken (hysteresis: one wake per burst of room, not one per item). From 1 to the
         * capacity; default capacity / 8.
         *
         * @param slots how many free slots wake a blocked producer
         * @return this builder
         * @throws IllegalArgumentException if slots is below 1 or above the capacity
         */
        public Builder resumeWhenFree(int slots) {
            if (slots < 1 || slots > capacity) {
                throw new IllegalArgumentException("resumeWhenFree(" + slots + "): must be from 1 to the capacity ("
                        + capacity + "); set the capacity first");
            }
            this.resume = slots;
            return this;
        }

        /**
         * Opens the bridge and its two eventfds.
         *
         * @param <T> the type of the items
         * @return the new bridge
         * @throws IOException if a system call fails; the message names the call and errno
         */
        public <T> Bridge<T> open() throws IOException {
            if (resume > capacity) {
                throw new IllegalArgumentException("resumeWhenFree(" + resume + ") exceeds the capacity " + capacity);
            }
            Waker notEmpty = Waker.open();
            try {
                return new Bridge<>(this, notEmpty, Waker.open());
            } catch (IOException | RuntimeException e) {
                notEmpty.close();
                throw e;
            }
        }
    }
}
