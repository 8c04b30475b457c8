package dev.wakefd.bench.shm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Why Aeron with BackoffIdleStrategy is bimodal from idle across runs (issue 17): the same
 * from-idle round trip as the shm group's (150 µs +- a third, after 20,000 warm-up trips) to a
 * fresh Aeron echo, with the requesting thread and the echo's polling thread pinned to one CPU,
 * to two, or left to the scheduler; optionally a random 0 - 60 µs spin between the gap's timer
 * and the send. Prints p10/p50/p90 and the echo process's CPU per trip. Needs taskset.
 * Usage: {@code AeronPlacement [repetitions]}.
 */
public final class AeronPlacement {
    private AeronPlacement() {}

    /** The thread of the process named "java" (a main thread) that used the most CPU: the echo's poller. */
    static long busiestJavaThread(long pid) throws Exception {
        long best = -1, bestCpu = -1;
        try (var ts = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : ts.toList()) {
                if (!Files.readString(t.resolve("comm")).trim().equals("java")) {
                    continue;
                }
                long cpu = Long.parseLong(
                        Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                if (cpu > bestCpu) {
                    bestCpu = cpu;
                    best = Long.parseLong(t.getFileName().toString());
                }
            }
        }
        return best;
    }

    static void pin(long tid, String cpus) throws Exception {
        int rc = new ProcessBuilder("taskset", "-p", "-c", cpus, Long.toString(tid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
        if (rc != 0) {
            throw new IllegalStateException("taskset -p -c " + cpus + " " + tid + ": exit " + rc);
        }
    }

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        byte[] msg = new byte[ShmBench.ROUND_TRIP_SIZE];
        long me = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self"))
                .getFileName()
                .toString());
        String[] modes = {"one CPU", "two CPUs", "one CPU + random spin", "scheduler", "scheduler + random spin"};
        try {
            for (int rep = 0; rep < reps; rep++) {
                for (String mode : modes) {
                    try (ShmBench.AeronEcho e = new ShmBench.AeronEcho()) {
                        for (int w = 0; w < ShmBench.WARMUP_TRIPS; w++) {
                            e.trip(msg);
                        }
                        long echo = busiestJavaThread(e.pid());
                        if (mode.startsWith("one")) {
                            pin(me, "1");
                            pin(echo, "1");
                        } else if (mode.startsWith("two")) {
                            pin(me, "0");
                            pin(echo, "1");
                        }
                        boolean spin = mode.endsWith("random spin");
                        SplittableRandom gaps = new SplittableRandom(42), extra = new SplittableRandom(7);
                        long[] rtt = new long[1500];
                        long c0 = ShmBench.cpuNanos(e.pid());
                        for (int k = 0; k < rtt.length; k++) {
                            LockSupport.parkNanos(ShmBench.gapNanos(gaps, ShmBench.GAP_NANOS));
                            if (spin) {
                                long until = System.nanoTime() + extra.nextLong(60_000);
                                while (System.nanoTime() < until) {
                                    Thread.onSpinWait();
                                }
                            }
                            long t0 = System.nanoTime();
                            e.trip(msg);
                            rtt[k] = System.nanoTime() - t0;
                        }
                        long c1 = ShmBench.cpuNanos(e.pid());
                        pin(me, "0-" + (Runtime.getRuntime().availableProcessors() - 1));
                        Arrays.sort(rtt);
                        System.out.printf(
                                Locale.ROOT,
                                "%-24s p10 %6.1f p50 %6.1f p90 %6.1f us | echo CPU per trip %.1f us%n",
                                mode,
                                rtt[rtt.length / 10] / 1e3,
                                rtt[rtt.length / 2] / 1e3,
                                rtt[rtt.length * 9 / 10] / 1e3,
                                (c1 - c0) / 1e3 / rtt.length);
                    }
                }
            }
        } finally {
            ShmBench.closeDriver();
        }
    }
}
