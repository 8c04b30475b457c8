package dev.wakefd.shm.internal;

import static dev.wakefd.shm.internal.Layout.*;

import dev.wakefd.shm.ShmCorruptedException;
import java.io.IOException;

/**
 * One side of the shared ring (a producer or a consumer: each process makes its own Ring over the
 * same memory) and its sleep/wake protocol, with no kernel in it: the wake is an {@link FdCall}, so
 * the model check runs this class against a fake eventfd.
 *
 * <p>Invariant (argument: docs/design/shm-ring.md): a side announces its sleep (S1, seq-cst
 * store) before it re-checks the other side's position (S2, seq-cst load); a side publishes its
 * position (P1, seq-cst store) before it reads the other's announcement (P2, seq-cst load). So a
 * publication the sleeper waits for either is seen by its re-check or sees its announcement and
 * wakes it. A sleeper that will not read its eventfd when it wakes clears it before it announces
 * (C0, before S1), never after: a wake for this announcement comes after S1, so it survives.
 * A streaming producer (flag M1 set, seq-cst) publishes with a release store and an acquire load
 * instead (P1', P2'), only to a consumer that declared it then issues membarrier(GLOBAL_EXPEDITED)
 * between S1 and S2 (B); docs/design/shm-ring.md, "Streaming without a fence".
 * Bytes in [head, tail) are never written by the producer, so a record the consumer
 * validated below a tail it loaded is whole. Every position and length read from shared memory is
 * validated against this side's own copies before use ({@link ShmCorruptedException}), and every
 * loop advances by at least 8 bytes within a validated bound.
 */
public final class Ring {
    /** One system call on an eventfd: signalling the other side's, or clearing this side's. */
    @FunctionalInterface
    public interface FdCall {
        void run() throws IOException;
    }

    /** The protocol's order, or one of two broken orders for the negative controls of the model check. */
    public enum Order {
        CORRECT,
        /** The sleeper looks before it announces: a publication in between is lost. */
        RECHECK_BEFORE_ANNOUNCE,
        /** The publisher reads the announcement before it publishes: a sleep in between is never woken. */
        WAKE_CHECK_BEFORE_PUBLISH,
        /** The sleeper clears its eventfd after it announced: a wake in between is erased. */
        CLEAR_AFTER_ANNOUNCE
    }

    private final Mem mem;
    private final int capacity;
    private final long mask;
    private final int maxMessage;
    private final int resume;
    private final FdCall wakeOther;
    private final FdCall clearOwn;
    private final Order order;

    /**
     * Publications without a wake after which a producer streams (P1 as a release store), if the
     * consumer declared its barrier and this process is registered for it (docs/design/shm-ring.md,
     * "Streaming without a fence"). Tests may lower it.
     */
    public static final int STREAM_AFTER = 64;

    // producer: streaming mode (see publish)
    private FdCall registerForBarriers; // null: this producer never streams
    private int streamAfter = STREAM_AFTER;
    private boolean streaming;
    private long quietPublishes; // publications since the last wake
    // consumer: the barrier it issues after S1 when the producer streams, or null
    private FdCall sleepBarrier;

    // producer: pending >= published; headCache <= published
    private long pending, published, headCache, claimedEnd, lastTotal, consumerWokenFor;
    // consumer: head >= publishedHead; head <= tailCache
    private long head, publishedHead, tailCache, nextEnd, producerWokenFor;
    private int nextLen;

    /**
     * @param wakeOther signals the other side's eventfd
     * @param clearOwn reads this side's eventfd down to zero (for {@code prepareToWait(true)})
     */
    public Ring(Mem mem, int capacity, FdCall wakeOther, FdCall clearOwn) {
        this(mem, capacity, wakeOther, clearOwn, Order.CORRECT);
    }

    public Ring(Mem mem, int capacity, FdCall wakeOther, FdCall clearOwn, Order order) {
        this.mem = mem;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxMessage = Layout.maxMessage(capacity);
        this.resume = capacity / 8;
        this.wakeOther = wakeOther;
        this.clearOwn = clearOwn;
        this.order = order;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Producer: allows streaming. {@code register} registers this process for the consumer's
     * barriers (once; it throws if it cannot, and the producer then never streams).
     */
    public void allowStreaming(FdCall register, int after) {
        this.registerForBarriers = register;
        this.streamAfter = after;
    }

    /**
     * Consumer: declares in shared memory that it issues {@code barrier} between S1 and S2 while
     * the producer streams. Call before the first announcement.
     */
    public void declareSleepBarrier(FdCall barrier) {
        this.sleepBarrier = barrier;
        mem.storeIntVolatile(OFF_CONSUMER_BARRIER, 1);
    }

    /**
     * Consumer: whether the producer streams now (a hint, read without order): it has published
     * {@link #STREAM_AFTER} times or more without waking anybody, so more is coming, and an
     * announcement now would cost a barrier and most likely a wake for nothing.
     */
    public boolean producerStreams() {
        return sleepBarrier != null && mem.loadIntVolatile(OFF_PRODUCER_STREAMING) != 0;
    }

    /** Producer: whether it publishes without a fence now (tests). */
    public boolean streaming() {
        return streaming;
    }

    public int maxMessage() {
        return maxMessage;
    }

    private static long header(long len, long position) {
        return (len & 0xffff_ffffL) | (position << 32);
    }

    // ------------------------------------------------------------------ producer

    /**
     * Reserves room for a record of {@code len} payload bytes after the pending ones and writes
     * its header (and a pad record first if it does not fit before the end of the data area).
     * Returns the segment offset where the payload goes, or -1 if there is no room; nothing is
     * visible to the consumer before {@link #commit()} and {@link #publish()}.
     */
    public long claim(int len) throws ShmCorruptedException {
        if (len < 0 || len > maxMessage) {
            throw new IllegalArgumentException("message of " + len + " bytes: must be 0 to " + maxMessage
                    + " (half the ring's capacity " + capacity + " less an 8-byte header)");
        }
        long need = recordSize(len);
        long p = pending;
        long off = p & mask;
        long toEnd = capacity - off;
        long total = need <= toEnd ? need : toEnd + need;
        if (capacity - (p - headCache) < total) {
            refreshHead();
            if (capacity - (p - headCache) < total) {
                lastTotal = total;
                return -1;
            }
        }
        if (need > toEnd) {
            mem.storePlain(DATA + off, header(PAD, p));
            p += toEnd;
            off = 0;
        }
        mem.storePlain(DATA + off, header(len, p));
        claimedEnd = p + need;
        return DATA + off + RECORD_HEADER;
    }

    /** The claimed record counts as sent (still unpublished). */
    public void commit() {
        pending = claimedEnd;
    }

    /** Room for a record of {@code len} bytes right now (re-reads the head if the cached one says no). */
    public boolean fits(int len) throws ShmCorruptedException {
        long need = recordSize(len);
        long off = pending & mask;
        long total = need <= capacity - off ? need : capacity - off + need;
        return capacity - (pending - headCache) >= total || capacity - (pending - refreshHead()) >= total;
    }

    /** Re-reads the consumer's head (seq-cst) and validates it: headCache <= head <= published. */
    private long refreshHead() throws ShmCorruptedException {
        long h = mem.loadVolatile(OFF_HEAD);
        if (h < headCache || h > published) {
            throw new ShmCorruptedException("shared head " + Long.toUnsignedString(h) + " breaks the rule " + headCache
                    + " <= head <= tail " + published + " (the head only grows, up to what was published)");
        }
        headCache = h;
        return h;
    }

    /**
     * Makes every committed record visible (P1) and wakes a consumer that announced its sleep for
     * it (P2). While streaming, P1 is a release store and P2 a plain load: the consumer's
     * membarrier between its S1 and S2 orders them (docs/design/shm-ring.md, "Streaming without a
     * fence"); the first wake ends the streaming, and {@link #STREAM_AFTER} quiet publications
     * start it again.
     */
    public void publish() throws IOException {
        long t = pending;
        if (t == published) {
            return;
        }
        long w;
        if (order == Order.WAKE_CHECK_BEFORE_PUBLISH) {
            w = mem.loadVolatile(OFF_CONSUMER_WAKE_AT); // broken on purpose (negative control)
            mem.storeVolatile(OFF_TAIL, t);
        } else if (streaming) {
            mem.storeRelease(OFF_TAIL, t); // P1': no fence; the records' plain stores are before it
            w = mem.loadAcquire(OFF_CONSUMER_WAKE_AT); // P2': ordered after P1' by the consumer's barrier
        } else {
            mem.storeVolatile(OFF_TAIL, t); // P1: seq-cst store; the records' plain stores are before it
            w = mem.loadVolatile(OFF_CONSUMER_WAKE_AT); // P2: seq-cst load, after P1
        }
        published = t;
        if (Long.compareUnsigned(t, w) >= 0 && w != consumerWokenFor) {
            consumerWokenFor = w; // one wake per announcement: announcements only grow
            quietPublishes = 0;
            if (streaming) {
                stopStreaming(); // a consumer that sleeps between items: no barrier on its sleeps
            }
            wakeOther.run();
        } else if (!streaming && registerForBarriers != null && ++quietPublishes >= streamAfter) {
            startStreaming();
        }
    }

    /** M1: the flag (seq-cst) before any fence-free publication; only if the consumer declared its barrier. */
    private void startStreaming() {
        quietPublishes = 0;
        if (mem.loadIntVolatile(OFF_CONSUMER_BARRIER) == 0) {
            return; // a peer that issues no barrier: stay fenced (asked again after streamAfter more)
        }
        try {
            registerForBarriers.run(); // once per process; throws if it cannot
        } catch (IOException | RuntimeException e) {
            registerForBarriers = null; // never stream
            return;
        }
        mem.storeIntVolatile(OFF_PRODUCER_STREAMING, 1); // M1: seq-cst, before the first P1'
        streaming = true;
    }

    /** M0: the flag (seq-cst) after the last fence-free publication. */
    private void stopStreaming() {
        mem.storeIntVolatile(OFF_PRODUCER_STREAMING, 0); // M0
        streaming = false;
    }

    /**
     * The producer found no room and is about to sleep: publishes, announces the head at which
     * the last refused record (and at least capacity/8 bytes) fits, and re-checks. True: sleep
     * until woken; false: room appeared or the consumer closed (the announcement is withdrawn).
     * With {@code clearFirst} it first clears this side's eventfd (C0), for a sleeper that will
     * not read it when it wakes (docs/design/shm-ring.md, "Clear before announcing").
     */
    public boolean producerPrepareToWait(boolean clearFirst) throws IOException {
        publish();
        long target = pending - capacity + Math.max(lastTotal, resume);
        if (clearFirst && order != Order.CLEAR_AFTER_ANNOUNCE) {
            clearOwn.run(); // C0: before S1, so every wake for this announcement (after S1) survives
        }
        if (order == Order.RECHECK_BEFORE_ANNOUNCE) {
            if (refreshHead() >= target || consumerClosed()) { // broken on purpose (negative control)
                return false;
            }
            mem.storeVolatile(OFF_PRODUCER_WAKE_AT, target);
            return true;
        }
        mem.storeVolatile(OFF_PRODUCER_WAKE_AT, target); // S1
        if (refreshHead() >= target || consumerClosed()) { // S2
            producerWithdraw();
            return false;
        }
        if (clearFirst && order == Order.CLEAR_AFTER_ANNOUNCE) {
            clearOwn.run(); // broken on purpose (negative control): erases a wake sent after S1
        }
        return true;
    }

    public void producerWithdraw() {
        mem.storeRelease(OFF_PRODUCER_WAKE_AT, NONE);
    }

    public boolean consumerClosed() {
        return mem.loadIntVolatile(OFF_CONSUMER_CLOSED) != 0;
    }

    /** Publishes what is committed, then sets the end-of-stream flag. The caller then wakes the consumer. */
    public void producerClose() throws IOException {
        publish();
        mem.storeIntVolatile(OFF_PRODUCER_CLOSED, 1);
    }

    /** Bytes in use as this producer last saw them (committed, not yet consumed). */
    public long usedBytes() {
        return pending - headCache;
    }

    // ------------------------------------------------------------------ consumer

    /**
     * The next record's payload offset in the segment, or -1 if none is published; its length is
     * {@link #nextLength()}. Validates the record: stamp, length, and that it lies whole below the
     * published tail and inside the data area. Pad records are skipped here.
     */
    public long next() throws ShmCorruptedException {
        while (true) {
            long h = head;
            if (h == tailCache) {
                refreshTail();
                if (h == tailCache) {
                    return -1;
                }
            }
            long off = h & mask;
            long word = mem.loadPlain(DATA + off);
            int len = (int) word;
            int stamp = (int) (word >>> 32);
            long avail = tailCache - h;
            if (stamp != (int) h) {
                throw new ShmCorruptedException("record at position " + h + " carries stamp "
                        + Integer.toUnsignedString(stamp) + ", must be the low 32 bits of its position ("
                        + Integer.toUnsignedString((int) h) + ")");
            }
            if (len == PAD) {
                long toEnd = capacity - off;
                if (off == 0 || toEnd > avail) {
                    throw new ShmCorruptedException("pad record at position " + h + " (offset " + off + ") skips "
                            + toEnd + " bytes: a pad never starts at offset 0 and lies below the tail (" + avail
                            + " bytes published)");
                }
                head = h + toEnd;
                continue;
            }
            if (len < 0 || len > maxMessage) {
                throw new ShmCorruptedException("record at position " + h + " has length "
                        + Integer.toUnsignedString(len) + ": must be 0 to " + maxMessage);
            }
            long need = recordSize(len);
            if (need > avail || need > capacity - off) {
                throw new ShmCorruptedException("record at position " + h + " of " + need + " bytes runs past "
                        + (need > avail ? "the published tail (" + avail + " bytes)" : "the end of the data area"));
            }
            nextLen = len;
            nextEnd = h + need;
            return DATA + off + RECORD_HEADER;
        }
    }

    public int nextLength() {
        return nextLen;
    }

    /** The record {@link #next()} returned is taken (its space is freed at the next {@link #publishHead()}). */
    public void consume() {
        head = nextEnd;
    }

    /** Re-reads the producer's tail (seq-cst) and validates it: tailCache <= tail <= publishedHead + capacity. */
    private void refreshTail() throws ShmCorruptedException {
        long t = mem.loadVolatile(OFF_TAIL);
        if (t < tailCache || t - publishedHead > capacity) {
            throw new ShmCorruptedException("shared tail " + Long.toUnsignedString(t) + " breaks the rule " + tailCache
                    + " <= tail <= head + capacity = " + (publishedHead + capacity)
                    + " (the tail only grows, at most a ring ahead)");
        }
        tailCache = t;
    }

    /** Frees the consumed records (P1) and wakes a producer that announced its sleep for them (P2). */
    public void publishHead() throws IOException {
        long h = head;
        if (h == publishedHead) {
            return;
        }
        long w;
        if (order == Order.WAKE_CHECK_BEFORE_PUBLISH) {
            w = mem.loadVolatile(OFF_PRODUCER_WAKE_AT); // broken on purpose (negative control)
            mem.storeVolatile(OFF_HEAD, h);
        } else {
            mem.storeVolatile(OFF_HEAD, h); // P1
            w = mem.loadVolatile(OFF_PRODUCER_WAKE_AT); // P2
        }
        publishedHead = h;
        if (Long.compareUnsigned(h, w) >= 0 && w != producerWokenFor) {
            producerWokenFor = w;
            wakeOther.run();
        }
    }

    // Deliberate mirror of producerPrepareToWait/producerWithdraw/consumerClosed: each side's own offsets (S1, S2).
    /**
     * The consumer found the ring empty and is about to sleep: frees what it consumed, announces
     * the tail it waits for (head + 1), and re-checks the end-of-stream flag and the tail. True:
     * sleep until woken; false: a record or the end arrived (the announcement is withdrawn).
     * With {@code clearFirst} it first clears this side's eventfd (C0), as the producer's.
     */
    public boolean consumerPrepareToWait(boolean clearFirst) throws IOException {
        publishHead();
        long want = head + 1;
        if (clearFirst && order != Order.CLEAR_AFTER_ANNOUNCE) {
            clearOwn.run(); // C0: before S1, so every wake for this announcement (after S1) survives
        }
        if (order == Order.RECHECK_BEFORE_ANNOUNCE) {
            boolean closed = producerClosed(); // broken on purpose (negative control)
            refreshTail();
            if (tailCache != head || closed) {
                return false;
            }
            mem.storeVolatile(OFF_CONSUMER_WAKE_AT, want);
            return true;
        }
        mem.storeVolatile(OFF_CONSUMER_WAKE_AT, want); // S1
        if (sleepBarrier != null && mem.loadIntVolatile(OFF_PRODUCER_STREAMING) != 0) {
            sleepBarrier.run(); // B: the streaming producer's P1' before its P2', or its P2' sees S1
        }
        boolean closed = producerClosed(); // S2: the flag before the tail (see endOfStream)
        refreshTail();
        if (tailCache != head || closed) {
            consumerWithdraw();
            return false;
        }
        if (clearFirst && order == Order.CLEAR_AFTER_ANNOUNCE) {
            clearOwn.run(); // broken on purpose (negative control): erases a wake sent after S1
        }
        return true;
    }

    public void consumerWithdraw() {
        mem.storeRelease(OFF_CONSUMER_WAKE_AT, NONE);
    }

    public boolean producerClosed() {
        return mem.loadIntVolatile(OFF_PRODUCER_CLOSED) != 0;
    }

    /**
     * End of stream: the producer closed and every record it published is consumed. The flag is
     * read before the tail, so every record published before the close is seen first.
     */
    public boolean endOfStream() throws ShmCorruptedException {
        if (!producerClosed()) {
            return false;
        }
        if (head == tailCache) {
            refreshTail();
        }
        return head == tailCache;
    }

    /** True if nothing is published beyond what was consumed (re-reads the tail). */
    public boolean drained() throws ShmCorruptedException {
        if (head == tailCache) {
            refreshTail();
        }
        return head == tailCache;
    }

    public void consumerClose() throws IOException {
        publishHead();
        mem.storeIntVolatile(OFF_CONSUMER_CLOSED, 1);
    }
}
