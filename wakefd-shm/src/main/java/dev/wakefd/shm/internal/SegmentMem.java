package dev.wakefd.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/** {@link Mem} over a mapped segment: VarHandle accesses, bounds-checked by the segment. */
public final class SegmentMem implements Mem {
    private static final VarHandle U64 =
            ValueLayout.JAVA_LONG.varHandle(); // native order: little-endian (Region checks)
    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment s;

    public SegmentMem(MemorySegment s) {
        this.s = s;
    }

    @Override
    public long load(long offset, int access) {
        return switch (access) {
            case SEQ_CST -> (long) U64.getVolatile(s, offset);
            case PLAIN -> (long) U64.get(s, offset);
            case SEQ_CST_U32 -> (int) U32.getVolatile(s, offset);
            default -> throw new IllegalArgumentException("load with access kind " + access + ": not a load");
        };
    }

    @Override
    public void store(long offset, long value, int access) {
        switch (access) {
            case SEQ_CST -> U64.setVolatile(s, offset, value);
            case PLAIN -> U64.set(s, offset, value);
            case RELEASE -> U64.setRelease(s, offset, value);
            case SEQ_CST_U32 -> U32.setVolatile(s, offset, (int) value);
            default -> throw new IllegalArgumentException("store with access kind " + access + ": unknown");
        }
    }

    @Override
    public MemorySegment segment() {
        return s;
    }
}
