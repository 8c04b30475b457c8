package dev.wakefd.cli;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every hop keeps: its wake times, how many wakes it passed on, its first failure, and, for
 * hops that run their own threads, those threads. Each thread runs a {@link Body}; close or an
 * interrupt ends it quietly, any other exception is the hop's failure, reported by
 * {@link #wakeTimes}. Hops driven by someone else's thread (a Poller, a Netty loop) use only
 * {@link #record}, {@link #fail} and {@link #result}.
 */
abstract class AbstractHop implements Hop {
    private final String name;
    private final String how;
    private volatile int passed;
    private volatile Throwable failure;
    private long[] times;
    private final List<Thread> threads = new ArrayList<>();

    /** {@code name} and {@code how}: what {@link #name()} and {@link #how()} return. */
    AbstractHop(String name, String how) {
        this.name = name;
        this.how = how;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String how() {
        return how;
    }

    /** A hop thread's work; it may throw, see the class comment. */
    interface Body {
        void run() throws Exception;
    }

    /** Makes the array the hop writes its wake times into, one per lap; call from start(). */
    final long[] newTimes(int laps) {
        times = new long[laps];
        return times;
    }

    /** The hop's thread passed on the wake of {@code lap} (0-based). */
    final void passedOn(int lap) {
        passed = lap + 1;
    }

    /** Keeps the first failure. */
    final void fail(Throwable e) {
        if (failure == null) {
            failure = e;
        }
    }

    /** Starts a hop thread from {@code builder} (virtual or platform, named) running {@code body}. */
    final Thread run(Thread.Builder builder, Body body) {
        Thread t = builder.start(() -> {
            try {
                body.run();
            } catch (ClosedChannelException | InterruptedException e) {
                // the ring is shutting down
            } catch (Throwable e) {
                fail(e);
            }
        });
        threads.add(t);
        return t;
    }

    @Override
    public final int passed() {
        return passed;
    }

    /**
     * For hops with threads: waits for them to end, then returns the times (their writes are
     * visible after the joins) or throws the hop's failure.
     */
    @Override
    public long[] wakeTimes(Duration timeout) throws Exception {
        for (Thread t : threads) {
            if (!t.join(timeout)) {
                throw stillRunning(timeout);
            }
        }
        return result();
    }

    /** The failure to throw when the hop did not finish within {@code timeout}. */
    final Main.Failure stillRunning(Duration timeout) {
        return new Main.Failure(
                name() + ": still waiting after " + timeout.toSeconds() + " s, having passed " + passed + " wakes");
    }

    /** The wake times, or the hop's failure; call once whatever wrote the times has finished. */
    final long[] result() {
        Throwable f = failure;
        if (f != null) {
            throw new Main.Failure(name() + ": " + f, f);
        }
        return times;
    }

    /** Interrupts the hop's threads; idempotent. Hops with other resources add to it. */
    @Override
    public void close() {
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
