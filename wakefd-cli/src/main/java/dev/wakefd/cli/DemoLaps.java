package dev.wakefd.cli;

import dev.wakefd.EventFd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Passes one wake around a ring: the calling platform thread signals the first hop's eventfd,
 * each hop wakes and signals the next, the last signals back, and the caller (waiting in
 * {@code EventFd.await(Duration)}, epoll_wait(2) on a platform thread) times the lap.
 *
 * <p>Hop k's latency on a lap is the time from when the runtime before it woke to when it woke
 * (so it includes the previous runtime's signal() call and this one's wake-up and read); the hops
 * of a lap add up to the whole lap. Each wait is bounded: a lost wake fails the run and says
 * where the wake stopped, it never hangs.
 */
final class DemoLaps {
    static final String DRIVER = "platform thread";

    /** What a run measured, warm-up laps excluded. */
    record Result(List<Latencies> hops, Latencies lap, int laps) {}

    private DemoLaps() {}

    static Result run(List<Hop> hops, int warmup, int laps, Duration lapTimeout, LongConsumer progress)
            throws Exception {
        int total = warmup + laps;
        int n = hops.size();
        List<EventFd> fds = new ArrayList<>();
        try {
            for (int i = 0; i <= n; i++) {
                fds.add(EventFd.open()); // fds[i] wakes hop i; fds[n] wakes the driver
            }
            for (int i = 0; i < n; i++) {
                hops.get(i).start(fds.get(i), fds.get(i + 1), total);
            }
            EventFd first = fds.get(0);
            EventFd back = fds.get(n);
            long[] start = new long[total];
            long[] end = new long[total];
            for (int lap = 0; lap < total; lap++) {
                start[lap] = System.nanoTime();
                first.signal();
                long got = back.await(lapTimeout);
                end[lap] = System.nanoTime();
                if (got == 0) {
                    throw new Main.Failure(stalled(hops, lap, lapTimeout));
                }
                if (got != 1) {
                    throw new Main.Failure("lap " + lap + ": read a count of " + got + ", expected the one wake");
                }
                progress.accept(lap + 1);
            }
            long[][] woke = new long[n][];
            for (int i = 0; i < n; i++) {
                woke[i] = hops.get(i).wakeTimes(lapTimeout);
            }
            return measure(hops, start, end, woke, warmup);
        } finally {
            for (Hop h : hops) {
                h.close();
            }
            for (EventFd fd : fds) {
                fd.close();
            }
        }
    }

    private static String stalled(List<Hop> hops, int lap, Duration timeout) {
        StringBuilder sb = new StringBuilder("lap " + (lap + 1) + ": the wake did not come back within "
                + timeout.toSeconds() + " s (wakes passed on so far:");
        for (Hop h : hops) {
            sb.append(' ')
                    .append(h.name())
                    .append(' ')
                    .append(h.passed() < 0 ? "?" : h.passed())
                    .append(',');
        }
        sb.setLength(sb.length() - 1);
        return sb.append("; the wake of lap ")
                .append(lap + 1)
                .append(" stopped at the first hop below ")
                .append(lap + 1)
                .append(')')
                .toString();
    }

    private static Result measure(List<Hop> hops, long[] start, long[] end, long[][] woke, int warmup) {
        int n = hops.size();
        Histogram[] perHop = new Histogram[n + 1];
        for (int i = 0; i <= n; i++) {
            perHop[i] = Latencies.histogram();
        }
        Histogram whole = Latencies.histogram();
        for (int lap = warmup; lap < start.length; lap++) {
            long prev = start[lap];
            for (int i = 0; i <= n; i++) {
                long t = i < n ? woke[i][lap] : end[lap];
                long d = t - prev;
                if (d < 0) {
                    // All times come from CLOCK_MONOTONIC (Python's monotonic_ns too), and ring order is causal.
                    throw new Main.Failure("lap " + lap + ": " + name(hops, i) + " woke " + (-d) + " ns before "
                            + name(hops, i - 1) + " did: the clocks of the two runtimes disagree");
                }
                perHop[i].recordValue(d);
                prev = t;
            }
            whole.recordValue(end[lap] - start[lap]);
        }
        List<Latencies> out = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            out.add(Latencies.of(name(hops, i - 1), name(hops, i), perHop[i]));
        }
        return new Result(out, Latencies.of("whole lap", null, whole), start.length - warmup);
    }

    private static String name(List<Hop> hops, int i) {
        return i < 0 || i >= hops.size() ? DRIVER : hops.get(i).name();
    }
}
