package dev.wakefd.shm.internal;

import java.lang.foreign.MemorySegment;

/**
 * The accesses {@link Ring} makes to shared memory, one method per kind of access. Production
 * code has one implementation ({@link SegmentMem}), so the JIT inlines it; the protocol's model
 * check substitutes one that hands control to a scheduler at every access. One method per kind,
 * not one method with a kind argument, so the memory order is named at every line of {@link Ring}
 * that depends on it (the accessor names carry it, as Agrona's do).
 */
public interface Mem {
    /** A sequentially consistent load of an aligned u64 (Java volatile; C {@code __ATOMIC_SEQ_CST}). */
    long loadVolatile(long offset);

    /** A sequentially consistent store of an aligned u64. */
    void storeVolatile(long offset, long value);

    /** An acquire load of an aligned u64 (a streaming producer's P2'). */
    long loadAcquire(long offset);

    /** A release store of an aligned u64 (for withdrawing an announcement, and a streaming producer's P1'). */
    void storeRelease(long offset, long value);

    int loadIntVolatile(long offset);

    void storeIntVolatile(long offset, int value);

    /** Plain load of a record header word (ordered after the acquiring load of the tail). */
    long loadPlain(long offset);

    void storePlain(long offset, long value);

    MemorySegment segment();
}
