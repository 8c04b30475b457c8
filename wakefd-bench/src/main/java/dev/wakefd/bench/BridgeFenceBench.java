package dev.wakefd.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
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
 * busy-spinning queue such as JCTools' SPSC pays) and a plain store. Then the same two with the
 * other side running ({@code @Group}): one thread stores its index per item and reads the other's
 * announcement, the other reads that index and stores its own, as a producer and a consumer do;
 * there a full fence waits for the store to reach a line the other core holds.
 */
@Fork(value = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Group)
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
    @Group("plainStore") // one thread: a group of one, as the state is per group
    public long plainStore() {
        long i = index + 1;
        index = i;
        return i;
    }

    /** A release store: the publication of a queue whose consumer spins (JCTools' SPSC offer). */
    @Benchmark
    @Group("releaseStore") // one thread: a group of one, as the state is per group
    public long releaseStore() {
        long i = index + 1;
        INDEX.setRelease(this, i);
        return i;
    }

    /** A volatile store and a volatile load of another field: the bridge's P1 and P2 per item. */
    @Benchmark
    @Group("volatileStoreThenLoad") // one thread: a group of one, as the state is per group
    public long volatileStoreThenLoad() {
        long i = (long) INDEX.getVolatile(this) + 1;
        INDEX.setVolatile(this, i);
        return i + (long) ANNOUNCED.getVolatile(this);
    }

    /** A release store, then a full fence, then a plain load: the park/unpark JCTools lane's per-item step. */
    @Benchmark
    @Group("releaseFenceLoad") // one thread: a group of one, as the state is per group
    public long releaseFenceLoad() {
        long i = index + 1;
        INDEX.setRelease(this, i);
        VarHandle.fullFence();
        return i + announced;
    }

    long p8, p9, p10, p11, p12, p13, p14, p15; // the other side's index on a line of its own
    long other;

    private static final VarHandle OTHER;

    static {
        try {
            OTHER = MethodHandles.lookup().findVarHandle(BridgeFenceBench.class, "other", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Two threads, volatile (Dekker): each stores its index (a fence), then reads the other side's. */
    @Benchmark
    @Group("sharedVolatile")
    public long sharedVolatileA() {
        long i = index + 1;
        INDEX.setVolatile(this, i);
        return i + (long) OTHER.getVolatile(this);
    }

    @Benchmark
    @Group("sharedVolatile")
    public long sharedVolatileB() {
        long i = other + 1;
        OTHER.setVolatile(this, i);
        return i + (long) INDEX.getVolatile(this);
    }

    /** Two threads, release stores and acquire loads: no fence, what spinning queues pay. */
    @Benchmark
    @Group("sharedRelease")
    public long sharedReleaseA() {
        long i = index + 1;
        INDEX.setRelease(this, i);
        return i + (long) OTHER.getAcquire(this);
    }

    @Benchmark
    @Group("sharedRelease")
    public long sharedReleaseB() {
        long i = other + 1;
        OTHER.setRelease(this, i);
        return i + (long) INDEX.getAcquire(this);
    }
}
