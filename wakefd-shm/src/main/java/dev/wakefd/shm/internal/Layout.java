package dev.wakefd.shm.internal;

/**
 * The byte layout of a wakefd-shm region, version 1: the single source of the numbers that
 * docs/shm-layout.md specifies for every language. All values are little-endian; every 8-byte word is
 * 8-byte aligned and accessed as one atomic access.
 */
public final class Layout {
    private Layout() {}

    /** "wakefdSH" read as a little-endian u64. */
    public static final long MAGIC = 0x4853_6466_656b_6177L;

    public static final int VERSION = 1;

    // header (offset 0; written by the creator before the fds are sent, never changed after)
    public static final long OFF_MAGIC = 0,
            OFF_VERSION = 8,
            OFF_FLAGS = 12,
            OFF_CAPACITY = 16,
            OFF_DATA_OFFSET = 24,
            OFF_MAX_MESSAGE = 32,
            OFF_HEADER_SIZE = 40,
            OFF_CREATOR_ROLE = 44;
    /** Creator role (u32 at 44): 1 = the creator sends, 2 = the creator receives. */
    public static final int CREATOR_PRODUCES = 1, CREATOR_CONSUMES = 2;
    /** Written only by the producer: bytes published so far (a position, never wraps). */
    public static final long OFF_TAIL = 128;
    /**
     * u32 written only by the producer, in the tail's block: non-zero while it publishes the tail
     * without a full fence (a release store), which it does only for a consumer that set
     * {@link #OFF_CONSUMER_BARRIER}. Zero in a peer that never streams.
     */
    public static final long OFF_PRODUCER_STREAMING = 136;
    /** Written only by the consumer: bytes consumed so far. */
    public static final long OFF_HEAD = 256;
    /** Written only by the consumer: the tail it sleeps for, or {@link #NONE}. */
    public static final long OFF_CONSUMER_WAKE_AT = 384;
    /**
     * u32 written only by the consumer, once, before its first announcement: non-zero if it issues
     * {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)} between S1 and S2 whenever it reads
     * {@link #OFF_PRODUCER_STREAMING} non-zero. Zero in a peer that does not.
     */
    public static final long OFF_CONSUMER_BARRIER = 392;
    /** Written only by the producer: the head it sleeps for, or {@link #NONE}. */
    public static final long OFF_PRODUCER_WAKE_AT = 512;
    /** u32 set to 1 by the producer when it closes (end of stream). */
    public static final long OFF_PRODUCER_CLOSED = 640;
    /** u32 set to 1 by the consumer when it closes (abandons the stream). */
    public static final long OFF_CONSUMER_CLOSED = 644;
    /** Where the data area starts: records live in [DATA, DATA + capacity). */
    public static final long DATA = 1024;

    /** "Nobody sleeps": u64 all ones. */
    public static final long NONE = -1L;

    /** Record header: u32 payload length (or {@link #PAD}), u32 stamp = low 32 bits of the record's position. */
    public static final int RECORD_HEADER = 8;
    /** Length of a pad record: the rest of the data area up to its end is skipped. */
    public static final int PAD = 0xFFFF_FFFF;

    public static final int MIN_CAPACITY = 4096;
    public static final int MAX_CAPACITY = 1 << 30;

    /** Bytes a record of {@code len} payload bytes takes: header plus payload padded to 8. */
    public static long recordSize(long len) {
        return RECORD_HEADER + ((len + 7) & ~7L);
    }

    /** The largest payload a ring of {@code capacity} bytes carries: a record fits in half the ring. */
    public static int maxMessage(int capacity) {
        return capacity / 2 - RECORD_HEADER;
    }

    /** The total region size for a data capacity. */
    public static long regionSize(int capacity) {
        return DATA + capacity;
    }

    /** Checks a capacity a caller asked for; the message names the value and the rule. */
    public static int checkCapacity(long capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity + ": must be a power of two from " + MIN_CAPACITY
                    + " to " + MAX_CAPACITY + " bytes");
        }
        return (int) capacity;
    }
}
