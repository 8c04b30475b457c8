package dev.wakefd.bridge;

import dev.wakefd.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;

/**
 * The single-producer single-consumer ring and its sleep/wake protocol, with no kernel in it: the
 * two wakes are plain {@link Wake}s, so the model-checking test runs this very class against a
 * fake wake signal.
 *
 * <p>Invariant: {@code tail} is written only by the producer, with volatile stores, {@code head}
 * only by the consumer, with a volatile store whenever it crosses a multiple of the granule (G2,
 * below) and a release store otherwise; a side sleeps only after announcing ({@code consumerWakeAt} /
 * {@code producerWakeAt}, S1, volatile) and re-checking the other index and the gate (S2); the
 * other side reads the announcement (P2) after each publication (P1) and wakes once per
 * announcement its index satisfies. Dekker through the synchronization order: no wake is lost.
 * A side withdraws its announcement with a release store (W): no wake depends on a withdrawal
 * being seen, since a waker that still reads the old value skips it or wakes once more.
 * The producer's wake target is a multiple of {@code granule} (G1), so the consumer's
 * publication needs the volatile store only when {@code head} crosses such a multiple (G2): any
 * other publication cannot be the first to satisfy a target, and takes a release store.
 * Items travel through the slots: a release store of the slot before the store of {@code tail},
 * an acquire load by the consumer (null is empty; it reads {@code tail} only in S2), a release
 * clear before the store of {@code head}; the producer refills only slots it saw empty or that
 * lie below {@code head + capacity}. Slots beyond {@code tail} are null whenever no producer
 * call is in progress. The argument: docs/design/bridge-ring.md.
 */
final class Ring extends RingPad5 {
    static final long NONE = Long.MAX_VALUE;
    static final int SENDER_CLOSED = 1, RECEIVER_CLOSED = 2;
    private static final long NOT_FULL = Long.MIN_VALUE;

    /** Wakes one side: {@code parked} is the thread that announced in a blocking call, or null. */
    interface Wake {
        void wake(Thread parked);
    }

    Ring(int capacity, int resume, Wake wakeConsumer, Wake wakeProducer) {
        this(capacity, resume, granule(capacity, resume), true, wakeConsumer, wakeProducer);
    }

    /**
     * For tests: an explicit granule; {@code alignTargets} false is a broken protocol (the
     * negative control of RingGranuleStressTest: targets between multiples, unfenced).
     */
    Ring(int capacity, int resume, long granule, boolean alignTargets, Wake wakeConsumer, Wake wakeProducer) {
        super(capacity, resume, granule, alignTargets, wakeConsumer, wakeProducer);
        this.consumerWakeAt = NONE;
        this.producerWakeAt = NONE;
        this.fullSince = NOT_FULL;
    }

    // ---------------------------------------------------------------- producer

    /**
     * The granule of the producer's wake targets: the largest power of two up to a quarter of
     * {@code resume}, and at most {@code capacity - resume + 1} so that an aligned target never
     * lies beyond {@code tail} (a target the consumer could not reach). A producer then resumes
     * with between {@code resume} and {@code resume + granule - 1} slots free.
     */
    static long granule(int capacity, int resume) {
        return Long.highestOneBit(Math.max(1, Math.min(resume / 4, capacity - resume + 1)));
    }

    /** Adds {@code item} (not null) if there is room. Throws if either side closed. */
    boolean offer(Object item) {
        checkSendable();
        long t = tail;
        if (t >= producerLimit && !findRoom(t, 1)) {
            return false;
        }
        SLOT.setRelease(buffer, (int) t & mask, item); // the item's publication to a polling consumer
        publishTail(t + 1);
        return true;
    }

    /**
     * Adds items {@code from..to-1} of {@code items} while there is room; returns how many. One
     * publication for the lot (see {@link #write}).
     */
    int offerMany(List<?> items, int from, int to) {
        checkSendable();
        int want = to - from;
        if (want <= 0) {
            return 0;
        }
        long t = tail;
        if (t + want > producerLimit) {
            findRoom(t, want);
        }
        int n = (int) Math.min(producerLimit - t, want);
        if (n <= 0) {
            return 0;
        }
        write(items, from, n, t, "offerMany");
        publishTail(t + n);
        return n;
    }

    /**
     * Adds all of {@code items} if there is room for all of them now, checking each for null as
     * it writes it (a null throws and nothing is sent); false, with nothing written, if there is
     * not. Saves a batch that fits a separate pass over the list for nulls.
     */
    boolean offerAll(List<?> items, String operation) {
        checkSendable();
        int n = items.size();
        if (n == 0) {
            return true;
        }
        long t = tail;
        if (t + n > producerLimit) {
            if (n > capacity) {
                return false;
            }
            findRoom(t, n);
            if (t + n > producerLimit) {
                return false;
            }
        }
        write(items, 0, n, t, operation);
        publishTail(t + n);
        return true;
    }

    /**
     * Writes items {@code from..from+n-1} into the {@code n} (known empty) slots from {@code t},
     * not yet published. The slots after the first take plain stores and the first is written
     * last, with a release store: the consumer takes slots in order and stops at the first empty
     * one, so it sees none of the batch before all of it, and a batch that throws half-way (a
     * null, a list whose {@code get} throws or changes) is taken back unseen
     * (docs/design/bridge-ring.md, "Batches are all or nothing").
     */
    private void write(List<?> items, int from, int n, long t, String operation) {
        Object[] b = buffer;
        int m = mask;
        Object first = checked(items.get(from), from, items, operation);
        int k = 1;
        try {
            for (; k < n; k++) {
                b[(int) (t + k) & m] = checked(items.get(from + k), from + k, items, operation); // released below
            }
        } catch (RuntimeException e) {
            for (int j = 1; j < k; j++) {
                b[(int) (t + j) & m] = null; // unseen: the first slot is still empty
            }
            throw e;
        }
        SLOT.setRelease(b, (int) t & m, first); // releases the whole batch
    }

    private static Object checked(Object item, int index, List<?> items, String operation) {
        if (item == null) {
            throw new NullPointerException(operation + ": item " + index + " of " + items.size()
                    + " is null (items must not be null); nothing was sent");
        }
        return item;
    }

    /**
     * The producer reached {@code producerLimit}: finds out how far it may write now (at least
     * {@code need} slots from {@code t} if it can); true if slot {@code t} is free. First the
     * look-ahead (JCTools' idea): the slot {@code step} ahead empty means every slot before it is
     * empty too (the consumer clears in order, with release stores), and that line is one the
     * producer writes soon anyway. Then, for a single item, slot {@code t} alone. Only when that
     * is full, or for a batch, does it read the consumer's {@code head} (a line the consumer
     * writes per item): the consumer clears a slot before it publishes {@code head}, so every
     * slot below {@code head + capacity} is empty, and a full one there can only be a second
     * producer's. Tracks the time spent full.
     */
    private boolean findRoom(long t, int need) {
        Object[] b = buffer;
        int m = mask;
        long ahead = t + Math.min(capacity, Math.max(need, lookAhead)); // never a lap ahead
        boolean room;
        if (SLOT.getAcquire(b, (int) (ahead - 1) & m) == null) {
            producerLimit = ahead;
            room = true;
        } else if (need == 1 && SLOT.getAcquire(b, (int) t & m) == null) {
            producerLimit = t + 1;
            room = true;
        } else {
            long limit = head + capacity; // volatile load of head: the clears before it are visible
            room = limit > t;
            if (room) {
                if (SLOT.getAcquire(b, (int) t & m) != null) {
                    throw new IllegalStateException("bridge misuse: slot " + t + " still holds an item the"
                            + " consumer had released; a second producer is sending concurrently (a bridge has"
                            + " exactly one producer)");
                }
                producerLimit = limit;
            }
        }
        if (!room) {
            if (fullSince == NOT_FULL) {
                fullSince = System.nanoTime();
            }
        } else if (fullSince != NOT_FULL) {
            fullNanos += System.nanoTime() - fullSince;
            fullSince = NOT_FULL;
        }
        return room;
    }

    private void publishTail(long t) {
        tail = t; // P1: volatile store, a full fence: Dekker with S1/S2 (docs/design/bridge-ring.md)
        long w = consumerWakeAt; // P2: volatile load
        if (t >= w && w != consumerWokenFor) {
            consumerWokenFor = w; // one wake per announcement (docs/design/bridge-ring.md)
            count(CONSUMER_WAKES);
            wakeConsumer.wake(consumerParking); // read after P2 saw S1: set before S1 (see Sleeper)
        }
    }

    /**
     * The producer found the ring full and is about to wait: announces it and re-checks. True if
     * it may now wait for the producer wake, which comes once {@code resume} slots are free; false
     * if they already are or a side closed (the announcement is withdrawn: try again).
     */
    boolean producerPrepareToWait() {
        long target = tail - capacity + resume; // the head at which resume slots are free
        if (alignTargets) {
            target = (target + granule - 1) & -granule; // G1: up to a multiple of the granule, <= tail
        }
        producerWakeAt = target; // S1
        if (head >= target || producerGate != 0) { // S2
            PRODUCER_WAKE_AT.lazySet(this, NONE); // W: withdraw, a release store (see consumerWithdraw)
            return false;
        }
        count(PRODUCER_WAITS); // a statistic only the producer writes: no fence (see count)
        return true;
    }

    /** The producer is awake again (woken, timed out or interrupted). See {@link #consumerWithdraw}. */
    void producerWithdraw() {
        if (producerWakeAt != NONE) {
            PRODUCER_WAKE_AT.lazySet(this, NONE); // W: a release store, no fence (see consumerWithdraw)
        }
    }

    /** Producer only: it woke the consumer for its current announcement, which the consumer has not withdrawn (it has not run since). */
    boolean consumerWokenNotRun() {
        long w = consumerWakeAt;
        return w != NONE && w == consumerWokenFor;
    }

    boolean producerAnnounced() {
        return producerWakeAt != NONE;
    }

    void checkSendable() {
        int g = (int) producerGate;
        if (g != 0) {
            throw closedForSender(g);
        }
    }

    BridgeClosedException closedForSender(int gate) {
        if ((gate & SENDER_CLOSED) != 0) {
            return new BridgeClosedException("send after close(): the sender ended this bridge's stream", false);
        }
        return new BridgeClosedException(
                "send: the receiver closed this bridge; " + (tail - head) + " item(s) sent earlier were never received",
                true);
    }

    // ---------------------------------------------------------------- consumer

    /**
     * Takes the next item, or null if the ring is empty. Throws if the receiver closed. Polls the
     * slot itself (acquire; null is empty), never the producer's {@code tail}: the line the
     * producer writes per item stays on its core.
     */
    Object poll() {
        checkReceivable();
        long h = head;
        int i = (int) h & mask;
        Object e = SLOT.getAcquire(buffer, i);
        if (e == null) {
            return null;
        }
        SLOT.setRelease(buffer, i, null); // before head: the producer refills only cleared slots
        publishHead(h, h + 1);
        return e;
    }

    /** Takes up to {@code max} items into {@code sink}; returns how many it took. One publication. */
    @SuppressWarnings("unchecked")
    int drainTo(Consumer<?> sink, int max) {
        checkReceivable();
        Consumer<Object> out = (Consumer<Object>) sink;
        Object[] b = buffer;
        int m = mask;
        long h = head;
        int taken = 0;
        try {
            while (taken < max) {
                int i = (int) (h + taken) & m;
                Object e = SLOT.getAcquire(b, i);
                if (e == null) {
                    break;
                }
                SLOT.setRelease(b, i, null);
                taken++; // taken before the sink sees it: a throwing sink still consumed it
                out.accept(e);
            }
        } finally {
            if (taken > 0) {
                publishHead(h, h + taken);
            }
        }
        return taken;
    }

    /** Publishes {@code head} from {@code before} to {@code h} (the producer side's P1) and wakes a producer it satisfies (P2). */
    private void publishHead(long before, long h) {
        if (((before ^ h) & -granule) != 0) { // a multiple of the granule in (before, h]
            head = h; // G2: volatile store, a full fence: Dekker with the producer's S1/S2
        } else {
            HEAD.lazySet(this, h); // G2: a release store: no target lies in (before, h], see docs/design/bridge-ring.md
        }
        long w = producerWakeAt; // P2
        if (h >= w && w != producerWokenFor) {
            producerWokenFor = w;
            count(PRODUCER_WAKES);
            wakeProducer.wake(producerParking); // read after P2 saw S1: set before S1 (see Sleeper)
        }
    }

    /**
     * The consumer found the ring empty and is about to wait: announces it and re-checks. True if
     * it may now wait for the consumer wake; false if an item arrived or a side closed (the
     * announcement is withdrawn: look again).
     */
    boolean consumerPrepareToWait() {
        long h = head;
        consumerWakeAt = h + 1; // S1
        boolean published = tail > h; // S2: tail, not the slot: P1 is the volatile store of tail
        if (published && SLOT.getAcquire(buffer, (int) h & mask) == null) {
            consumerWakeAt = NONE; // withdraw: the slot was written before tail, someone else took it
            throw new IllegalStateException("bridge misuse: slot " + h + " is empty though the producer published"
                    + " it; a second consumer is receiving concurrently (a bridge has exactly one consumer)");
        }
        if (consumerGate != 0 || published) {
            CONSUMER_WAKE_AT.lazySet(this, NONE); // W: withdraw, a release store (see consumerWithdraw)
            return false;
        }
        count(CONSUMER_WAITS); // a statistic only the consumer writes: no fence (see count)
        return true;
    }

    /**
     * The consumer is awake again (woken, timed out or interrupted): takes back its announcement.
     * Any store would do: a waker that still reads the old value either already woke for it (and
     * skips it now) or sends one spare wake, which costs the sleeper one more look; correctness
     * never depends on the withdrawal being seen (docs/design/bridge-ring.md, "One wake per
     * announcement"). So it is a release store (W), not a volatile one: no fence on the woken
     * side's way to its item, where the line's transfer back from the waker would stall it. The
     * wait path uses field updaters and plain accesses, not VarHandles: it runs seldom, so for
     * long in code that C2 has not compiled yet, where a VarHandle call costs some 25 ns and a
     * field access 2 (issue 15's from-idle trips).
     */
    void consumerWithdraw() {
        if (consumerWakeAt != NONE) {
            CONSUMER_WAKE_AT.lazySet(this, NONE); // W: a release store, no fence
        }
    }

    /** Consumer only: it woke the producer for its current announcement, which the producer has not withdrawn (it has not run since). */
    boolean producerWokenNotRun() {
        long w = producerWakeAt;
        return w != NONE && w == producerWokenFor;
    }

    boolean consumerAnnounced() {
        return consumerWakeAt != NONE;
    }

    /** True once the sender closed and every item it sent has been taken. */
    boolean endOfStream() {
        return (consumerGate & SENDER_CLOSED) != 0 && tail <= head; // gate first, then tail
    }

    /**
     * No item for the consumer now: its next slot is empty (the consumer's view; the producer's
     * {@code tail} may lag the slot it has just written, so {@code head} may pass {@code tail}
     * for a moment).
     */
    boolean isEmpty() {
        return SLOT.getAcquire(buffer, (int) head & mask) == null;
    }

    /** Nothing for a blocked consumer to do yet: empty and neither side closed. Reads the slot, not {@code tail}. */
    boolean quietForConsumer() {
        return isEmpty() && consumerGate == 0;
    }

    /**
     * Nothing for a blocked producer to do yet: fewer than {@code resume} slots free and neither
     * side closed. The same hysteresis as a sleeping producer's wake target: a producer that
     * resumed at the first free slot would write into the cache line the consumer is reading,
     * refill it, block again, and chase the consumer slot by slot.
     */
    boolean quietForProducer() {
        return capacity - (tail - head) < resume && producerGate == 0;
    }

    void checkReceivable() {
        if ((consumerGate & RECEIVER_CLOSED) != 0) {
            throw new BridgeClosedException("receive after close(): this bridge's receiver is closed", true);
        }
    }

    // ---------------------------------------------------------------- both

    /**
     * Sets {@code bit} in both gates, then wakes both sides. Returns the gate bits set before, so
     * exactly one caller learns that both sides are now closed.
     */
    int close(int bit) {
        int before = (int) (long) CONSUMER_GATE.getAndBitwiseOr(this, (long) bit);
        PRODUCER_GATE.getAndBitwiseOr(this, (long) bit);
        if ((before & bit) == 0) {
            wakeConsumer.wake(consumerParking);
            wakeProducer.wake(producerParking);
        }
        return before;
    }

    int gate() {
        return (int) (consumerGate | producerGate);
    }

    long size() {
        long t = tail;
        return Math.max(0, t - head);
    }

    /**
     * Adds one to a statistic that only one side writes (the producer's or the consumer's), so an
     * opaque read and store will do: a {@code ++} on the volatile field would cost a fence, on the
     * path that wakes or puts a side to sleep.
     */
    private void count(VarHandle counter) {
        counter.setOpaque(this, (long) counter.getOpaque(this) + 1);
    }

    long fullNanosSoFar() {
        long since = fullSince;
        long total = fullNanos;
        return since == NOT_FULL ? total : total + Math.max(0, System.nanoTime() - since);
    }

    /** The slots: release stores and acquire loads (an item's publication, a slot's clearing). */
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    private static final VarHandle PRODUCER_GATE = producer("producerGate");
    // An updater, not a VarHandle: poll() runs in C1 code for a while (see consumerWithdraw)
    private static final AtomicLongFieldUpdater<RingConsumerLine> HEAD =
            AtomicLongFieldUpdater.newUpdater(RingConsumerLine.class, "head");
    private static final VarHandle CONSUMER_GATE = consumer("consumerGate");
    private static final AtomicLongFieldUpdater<RingConsumerWait> CONSUMER_WAKE_AT =
            AtomicLongFieldUpdater.newUpdater(RingConsumerWait.class, "consumerWakeAt");
    private static final AtomicLongFieldUpdater<RingProducerWait> PRODUCER_WAKE_AT =
            AtomicLongFieldUpdater.newUpdater(RingProducerWait.class, "producerWakeAt");
    private static final VarHandle CONSUMER_WAITS = consumer("consumerWaits");
    private static final VarHandle PRODUCER_WAITS = producer("producerWaits");
    private static final VarHandle CONSUMER_WAKES = producer("consumerWakes");
    private static final VarHandle PRODUCER_WAKES = consumer("producerWakes");

    private static VarHandle producer(String longField) {
        return VarHandles.find(MethodHandles.lookup(), RingProducerLine.class, longField, long.class);
    }

    private static VarHandle consumer(String longField) {
        return VarHandles.find(MethodHandles.lookup(), RingConsumerLine.class, longField, long.class);
    }
}

/*
 * Field layout. HotSpot places a superclass's fields before its subclass's, but it also fills an
 * alignment hole in a superclass (such as the 4 bytes after a 12-byte object header) with a
 * subclass's int or reference field. So every class below is a whole number of 8-byte words and
 * RingPad0 fills the header hole itself: each group then sits between 128-byte pads (two cache
 * lines, against the adjacent-line prefetcher), away from the object header and the object's end
 * too, whose lines the neighbouring objects in the heap may share. The groups: the producer's line
 * (what the producer writes on every send: its tail, its look-ahead limit, its gate); the
 * consumer's line, its mirror image; each side's announcement with the thread it parks (written
 * by that side only around a sleep, read by the other on every call); the read-only
 * configuration both sides read on every call. The other side writes into a side's line only to
 * close, and into its announcement's line only to sleep or wake, so a wake from idle moves the
 * announcement's line and the slot, not the lines the sides write per item. Only the
 * configuration takes constructor arguments, so the pads need no constructors. RingLayoutTest
 * checks the offsets.
 */
abstract class RingPad0 {
    int headerHole;
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class RingProducerLine extends RingPad0 {
    volatile long tail; // written by the producer only
    long producerLimit; // producer only: the slots below it are known empty (findRoom)
    long consumerWokenFor; // producer only: the consumer's announcement it last woke the consumer for
    volatile long producerGate; // close bits, read by the producer on every send
    // producer-written statistics, updated off the fast path
    volatile long fullSince;
    volatile long fullNanos;
    volatile long consumerWakes;
    volatile long producerWaits;
}

abstract class RingPad1 extends RingProducerLine {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * The consumer's announcement: written by the consumer only when it announces or withdraws a
 * sleep, read by the producer on every send (P2) and, to wake it, the thread parked in a blocking
 * call. A line of its own: a sleep and its wake move this line between the cores, not the lines
 * the other side writes per item.
 */
abstract class RingConsumerWait extends RingPad1 {
    volatile long consumerWakeAt; // the consumer announces and withdraws, the producer reads
    Thread consumerParking; // see Sleeper: set before S1, cleared after the withdrawal
    int consumerWaitFiller; // whole words (see the layout note above)
}

abstract class RingPad2 extends RingConsumerWait {
    long r00, r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12, r13, r14, r15;
}

abstract class RingConsumerLine extends RingPad2 {
    volatile long head; // written by the consumer only
    volatile long consumerGate; // close bits, read by the consumer on every receive
    volatile long producerWakes, consumerWaits; // consumer-written statistics
    long producerWokenFor; // consumer only: the producer's announcement it last woke the producer for
}

abstract class RingPad3 extends RingConsumerLine {
    long s00, s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12, s13, s14, s15;
}

/** The producer's announcement: the mirror image of {@link RingConsumerWait}. */
abstract class RingProducerWait extends RingPad3 {
    volatile long producerWakeAt; // the producer announces and withdraws, the consumer reads
    Thread producerParking; // see Sleeper
    int producerWaitFiller;
}

abstract class RingPad4 extends RingProducerWait {
    long t00, r01, r02, r03, r04, r05, r06, r07, r08, r09, r10, r11, r12, r13, r14, r15;
}

abstract class RingConfig extends RingPad4 {
    final long resume;
    final long granule; // a power of two; the producer's wake targets are its multiples (see Ring)
    final boolean alignTargets; // false only in a test's broken variant
    final int capacity;
    final int mask;
    final int lookAhead; // findRoom's step: a quarter of the ring, at least 1
    final Object[] buffer;
    final Ring.Wake wakeConsumer;
    final Ring.Wake wakeProducer;

    RingConfig(
            int capacity,
            int resume,
            long granule,
            boolean alignTargets,
            Ring.Wake wakeConsumer,
            Ring.Wake wakeProducer) {
        if (Long.bitCount(granule) != 1 || (alignTargets && granule > capacity - resume + 1)) {
            throw new IllegalArgumentException(
                    "granule " + granule + ": must be a power of two, at most capacity - resume + 1 = "
                            + (capacity - resume + 1) + " (else a wake target could lie beyond the tail)");
        }
        this.granule = granule;
        this.alignTargets = alignTargets;
        this.buffer = new Object[capacity];
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.resume = resume;
        this.wakeConsumer = wakeConsumer;
        this.wakeProducer = wakeProducer;
        this.lookAhead = Math.max(1, capacity / 4);
    }
}

/** The trailing pad: the configuration's distance from the object's end. */
abstract class RingPad5 extends RingConfig {
    long u00, u01, u02, u03, u04, u05, u06, u07, u08, u09, u10, u11, u12, u13, u14, u15;

    RingPad5(
            int capacity,
            int resume,
            long granule,
            boolean alignTargets,
            Ring.Wake wakeConsumer,
            Ring.Wake wakeProducer) {
        super(capacity, resume, granule, alignTargets, wakeConsumer, wakeProducer);
    }
}
