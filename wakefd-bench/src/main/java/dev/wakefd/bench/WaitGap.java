package dev.wakefd.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The gap before each timed round trip (untimed: a per-invocation setup). 0 measures trips back
 * to back; 50 µs lets the other side's thread, its carrier and its CPU go idle first, which is
 * how a wake-up usually starts in real programs (docs/benchmarking.md). The gap is spent
 * computing, not sleeping, so the measuring thread's own CPU stays awake, as a busy caller's does.
 */
@State(Scope.Thread)
public class WaitGap {
    @Param({"0", "50000"})
    public long gapNanos;

    @Setup(Level.Invocation)
    public void gap() {
        if (gapNanos > 0) {
            long until = System.nanoTime() + gapNanos;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
        }
    }
}
