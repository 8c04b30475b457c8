package dev.wakefd.shm.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * {@link Mem} over a mapped segment: VarHandle accesses, bounds-checked by the segment. Its
 * methods deliberately mirror {@link Mem} one access kind each (one line of VarHandle per method).
 * Not final only so that a benchmark can vary one access kind (wakefd-bench's {@code RingFences});
 * the library loads no subclass, so its calls stay monomorphic.
 */
public class SegmentMem implements Mem {
    private static final VarHandle U64 =
            ValueLayout.JAVA_LONG.varHandle(); // native order: little-endian (Region checks)
    private static final VarHandle U32 = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment s;

    public SegmentMem(MemorySegment s) {
        this.s = s;
    }

    @Override
    public long loadVolatile(long offset) {
        return (long) U64.getVolatile(s, offset);
    }

    @Override
    public void storeVolatile(long offset, long value) {
        U64.setVolatile(s, offset, value);
    }

    @Override
    public long loadAcquire(long offset) {
        return (long) U64.getAcquire(s, offset);
    }

    @Override
    public void storeRelease(long offset, long value) {
        U64.setRelease(s, offset, value);
    }

    @Override
    public int loadIntVolatile(long offset) {
        return (int) U32.getVolatile(s, offset);
    }

    @Override
    public void storeIntVolatile(long offset, int value) {
        U32.setVolatile(s, offset, value);
    }

    @Override
    public long loadPlain(long offset) {
        return (long) U64.get(s, offset);
    }

    @Override
    public void storePlain(long offset, long value) {
        U64.set(s, offset, value);
    }

    @Override
    public MemorySegment segment() {
        return s;
    }
}
