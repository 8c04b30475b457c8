package dev.wakefd.bench;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The machine's cache-line transfer between two CPUs right now, in ns one way: this thread and an
 * echo thread (both placed by the scheduler; both spin while measuring, so on different CPUs when
 * the machine is otherwise idle) hand a counter back and forth through two cells on lines of their
 * own. On a VM it changes as the host moves the vCPUs, so benchmarks whose speed rides on line
 * transfers record it beside each round. Between measurements the echo parks: it takes no CPU
 * from the rounds it is compared with. One measuring thread at a time.
 */
public final class LineProbe {
    private final AtomicLongArray cells = new AtomicLongArray(48);
    private static final int PING = 15, PONG = 31; // 128 bytes apart
    private volatile boolean on;
    private final Thread echo;

    public LineProbe() {
        echo = Thread.ofPlatform().daemon().name("line-probe").start(() -> {
            long seen = 0;
            while (true) {
                while (!on) {
                    LockSupport.park(this);
                }
                long p = cells.get(PING);
                if (p != seen) {
                    cells.set(PONG, p);
                    seen = p;
                } else {
                    Thread.onSpinWait();
                }
            }
        });
    }

    /** {@code trips} round trips (two transfers each): ns per transfer. */
    public double oneWayNanos(int trips) {
        on = true;
        LockSupport.unpark(echo);
        // The count is a local: a field beside `on`, which the echo reads in its loop, would add
        // a transfer of this object's line to every trip (the probe read twice the transfer).
        long n = trip(cells.get(PING) + 1); // the echo is running now
        long t0 = System.nanoTime();
        for (int i = 0; i < trips; i++) {
            n = trip(n + 1);
        }
        double ns = (System.nanoTime() - t0) / (2.0 * trips);
        on = false;
        return ns;
    }

    private long trip(long n) {
        cells.set(PING, n);
        while (cells.get(PONG) != n) {
            Thread.onSpinWait();
        }
        return n;
    }
}
