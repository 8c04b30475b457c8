package dev.wakefd.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wakefd demo}: one wake signal around a ring of runtimes, then a coalescing burst. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "Pass one wake around a ring of runtimes and time every hop",
        description = {
            "Passes one wake signal around a ring of runtimes and back, lap after lap: a platform thread, "
                    + "a virtual thread, a Poller handler, and a Python asyncio process that received the eventfds over a "
                    + "Unix socket (when python3 is on PATH). Parts that cannot run here are named and left out.",
            "Then prints latency percentiles per hop and per lap (HdrHistogram), and runs a burst where many "
                    + "producers wake one consumer through a Waker, to show how many wakes it coalesced into one write(2).",
            "Timings depend on the machine and its load; the demo makes no claim beyond this run."
        },
        footer = {
            "%nExamples:",
            "  wakefd demo",
            "  wakefd demo --laps 2000 --no-python",
            "  wakefd demo --json > demo.json"
        })
final class DemoCommand implements Callable<Integer> {
    static final int DEFAULT_LAPS = 30_000;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--laps",
            paramLabel = "<n>",
            defaultValue = "" + DEFAULT_LAPS,
            description = "laps to measure (default: ${DEFAULT-VALUE}, a few seconds)")
    int laps;

    @Option(
            names = "--warmup",
            paramLabel = "<n>",
            defaultValue = "-1",
            description = "laps run first and not measured (default: a tenth of --laps, at least 1)")
    int warmup;

    @Option(names = "--no-python", description = "leave the Python hop out even if python3 is on PATH")
    boolean noPython;

    @Option(
            names = "--producers",
            paramLabel = "<n>",
            defaultValue = "8",
            description = "producer threads in the burst (default: ${DEFAULT-VALUE})")
    int producers;

    @Option(
            names = "--wakes",
            paramLabel = "<n>",
            defaultValue = "500000",
            description = "wakes each producer asks for in the burst (default: ${DEFAULT-VALUE}; 0 skips the burst)")
    int wakes;

    @Option(names = "--json", description = "print the results as JSON (progress still goes to stderr)")
    boolean json;

    @Option(
            names = "--timeout",
            paramLabel = "<seconds>",
            defaultValue = "10",
            description =
                    "how long any one wait may take before the demo reports a lost wake (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        check(laps >= 1, "--laps " + laps + ": must be at least 1");
        check(laps <= 10_000_000, "--laps " + laps + ": must be at most 10,000,000");
        check(warmup >= -1, "--warmup " + warmup + ": must be 0 or more");
        check(warmup <= 10_000_000, "--warmup " + warmup + ": must be at most 10,000,000");
        check(producers >= 1, "--producers " + producers + ": must be at least 1");
        check(producers <= 256, "--producers " + producers + ": must be at most 256");
        check(wakes >= 0, "--wakes " + wakes + ": must be 0 or more");
        check(timeoutSeconds >= 1, "--timeout " + timeoutSeconds + ": must be at least 1 second");
        int warm = warmup >= 0 ? warmup : Math.max(1, laps / 10);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        List<Hop> hops = new ArrayList<>();
        List<Map<String, Object>> skipped = new ArrayList<>();
        try {
            for (Hops.Candidate c : Hops.candidates(!noPython)) {
                if (c.unavailable() != null) {
                    skipped.add(part(c.name(), c.unavailable()));
                    continue;
                }
                hops.add(c.opener().open());
            }
        } catch (Exception | Error e) {
            hops.forEach(Hop::close);
            throw e;
        }
        if (!json) {
            out.println("wakefd demo: one wake signal around a ring of runtimes, " + String.format("%,d", laps)
                    + " laps (after " + String.format("%,d", warm) + " warm-up laps)");
            out.println();
            out.printf(
                    "  %-16s %s%n",
                    DemoLaps.DRIVER,
                    "EventFd.signal() to start a lap, EventFd.await(timeout) for it to come back (epoll_wait(2))");
            for (Hop h : hops) {
                out.printf("  %-16s %s%n", h.name(), h.how());
            }
            for (Map<String, Object> s : skipped) {
                out.printf("  %-16s skipped: %s%n", s.get("part"), s.get("reason"));
            }
            out.println();
            out.flush();
        }
        if (json) { // the human listing above says it otherwise
            for (Map<String, Object> s : skipped) {
                err.println("wakefd demo: " + s.get("part") + " is skipped: " + s.get("reason"));
            }
            err.flush();
        }

        Progress progress = new Progress(err, Progress.terminal(), "ring", warm + laps);
        DemoLaps.Result ring;
        long[] done = {0};
        ring = DemoLaps.run(hops, warm, laps, timeout, d -> {
            done[0] = d;
            progress.update(d);
        });
        progress.finish(done[0]);

        Burst.Result burst = null;
        if (wakes > 0) {
            err.println(
                    "burst: " + producers + " producers x " + String.format("%,d", wakes) + " wakes into one Waker...");
            err.flush();
            burst = Burst.run(producers, wakes, timeout);
        }

        if (json) {
            out.println(Json.write(toJson(ring, warm, hops, skipped, burst)));
        } else {
            printRing(out, ring);
            if (burst != null) {
                printBurst(out, burst);
            }
        }
        out.flush();
        return 0;
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    private static Map<String, Object> part(String name, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("part", name);
        m.put("reason", reason);
        return m;
    }

    static void printRing(PrintWriter out, DemoLaps.Result r) {
        out.println("Latency (microseconds) from when one runtime woke to when the next one woke, over "
                + String.format("%,d", r.laps()) + " laps:");
        out.println();
        int w = 4;
        for (Latencies l : r.hops()) {
            w = Math.max(w, l.label().length());
        }
        String fmt = "  %-" + w + "s  %9s  %9s  %9s  %9s  %9s%n";
        out.printf(fmt, "hop", "p50", "p90", "p99", "p99.9", "max");
        for (Latencies l : r.hops()) {
            row(out, fmt, l);
        }
        row(out, fmt, r.lap());
        out.println();
    }

    private static void row(PrintWriter out, String fmt, Latencies l) {
        out.printf(fmt, l.label(), us(l.p50()), us(l.p90()), us(l.p99()), us(l.p999()), us(l.max()));
    }

    private static String us(long ns) {
        return ns >= 10_000_000 ? String.format("%,d", ns / 1000) : String.format("%,.1f", ns / 1000.0);
    }

    static void printBurst(PrintWriter out, Burst.Result b) {
        out.println("Coalescing: " + b.producers() + " producer threads asked one Waker for "
                + String.format("%,d", b.asked()) + " wakes in " + String.format("%.2f", b.nanos() / 1e9) + " s;");
        out.println("  it made " + String.format("%,d", b.writes()) + " write(2) calls ("
                + String.format("%,.1f", b.ratio()) + " wakes per system call; an EventFd.signal() per wake would make "
                + String.format("%,d", b.asked()) + "),");
        out.println("  the consumer woke " + String.format("%,d", b.consumerWakeups()) + " times and saw all "
                + String.format("%,d", b.itemsSeen()) + " items: no wake lost.");
    }

    private static Map<String, Object> toJson(
            DemoLaps.Result r, int warm, List<Hop> hops, List<Map<String, Object>> skipped, Burst.Result burst) {
        Map<String, Object> m = Json.document("demo");
        m.put("laps", r.laps());
        m.put("warmup_laps", warm);
        List<Object> ring = new ArrayList<>();
        ring.add(DemoLaps.DRIVER);
        hops.forEach(h -> ring.add(h.name()));
        m.put("ring", ring);
        m.put("skipped", skipped);
        List<Object> hs = new ArrayList<>();
        r.hops().forEach(l -> hs.add(l.toJson()));
        m.put("hops", hs);
        m.put("lap", r.lap().toJson());
        m.put("burst", burst == null ? null : burst.toJson());
        return m;
    }
}
