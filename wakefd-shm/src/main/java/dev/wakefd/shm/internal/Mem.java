package dev.wakefd.shm.internal;

import java.lang.foreign.MemorySegment;

/**
 * The accesses {@link Ring} makes to shared memory: a load and a store, each with the kind of
 * access as a constant argument. Production code has one implementation ({@link SegmentMem}), so
 * the JIT inlines it and folds the kind away; the protocol's model check substitutes one that
 * hands control to a scheduler at every access.
 */
public interface Mem {
    /** A sequentially consistent access to an aligned u64 (Java volatile; C {@code __ATOMIC_SEQ_CST}). */
    int SEQ_CST = 0;
    /** A plain access to an aligned u64 (record header words: ordered by the seq-cst tail access). */
    int PLAIN = 1;
    /** A release store of an aligned u64 (withdrawing an announcement). */
    int RELEASE = 2;
    /** A sequentially consistent access to an aligned u32 (the closed flags), widened to long. */
    int SEQ_CST_U32 = 3;

    /** Loads the word at {@code offset} with the given kind of access ({@link #RELEASE} is store-only). */
    long load(long offset, int access);

    /** Stores {@code value} (its low 32 bits for {@link #SEQ_CST_U32}) with the given kind of access. */
    void store(long offset, long value, int access);

    MemorySegment segment();
}
