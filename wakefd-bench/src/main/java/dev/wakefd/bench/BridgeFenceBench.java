package dev.wakefd.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What one item costs a side that may sleep, on this machine (issue 15): the bridge publishes
 * each item with a volatile index store followed by a volatile load of the other side's
 * announcement (Dekker: the store must be visible before the load, so HotSpot emits a full
 * fence, {@code lock addl} on x86). One thread, no sharing: the fence's own cost, the floor under
 * any protocol whose sleeper can be told about each item, against a release store (what a
 * busy-spinning queue such as JCTools' SPSC pays) and a plain store.
 */
@Fork(value = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class BridgeFenceBench {
    private static final VarHandle INDEX;
    private static final VarHandle ANNOUNCED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            INDEX = l.findVarHandle(BridgeFenceBench.class, "index", long.class);
            ANNOUNCED = l.findVarHandle(BridgeFenceBench.class, "announced", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long index;
    long announced = Long.MAX_VALUE;
    long p0, p1, p2, p3, p4, p5, p6, p7; // announced on another line than index

    /** A plain store: what the item costs with no ordering at all. */
    @Benchmark
    public long plainStore() {
        long i = index + 1;
        index = i;
        return i;
    }

    /** A release store: the publication of a queue whose consumer spins (JCTools' SPSC offer). */
    @Benchmark
    public long releaseStore() {
        long i = index + 1;
        INDEX.setRelease(this, i);
        return i;
    }

    /** A volatile store and a volatile load of another field: the bridge's P1 and P2 per item. */
    @Benchmark
    public long volatileStoreThenLoad() {
        long i = (long) INDEX.getVolatile(this) + 1;
        INDEX.setVolatile(this, i);
        return i + (long) ANNOUNCED.getVolatile(this);
    }

    /** A release store, then a full fence, then a plain load: the park/unpark JCTools lane's per-item step. */
    @Benchmark
    public long releaseFenceLoad() {
        long i = index + 1;
        INDEX.setRelease(this, i);
        VarHandle.fullFence();
        return i + announced;
    }
}
