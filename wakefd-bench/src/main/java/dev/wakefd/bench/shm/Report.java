package dev.wakefd.bench.shm;

import dev.wakefd.bench.Paired;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shm group's page from one or more JVM runs of {@link ShmBench}: every figure is the median
 * over the runs of each run's own median, with the runs' range beside it, and every goal is
 * judged per run ("met in k of n"), so that one run's vCPU placement does not decide a verdict.
 */
final class Report {
    private static final Pattern LINE = Pattern.compile(
            "\\{\"group\":\"shm\",\"bench\":\"([^\"]+)\",\"channel\":\"([^\"]+)\",\"size\":(\\d+),\"value\":([-0-9.eE]+|NaN),\"unit\":\"[^\"]*\"}");

    private final List<Map<String, List<Double>>> runs;
    private final List<String> names;

    Report(List<Map<String, List<Double>>> runs, List<String> names) {
        this.runs = runs;
        this.names = names;
    }

    /** One run's raw results (the jsonl that {@code ShmBench --jsonl} writes), keyed bench|channel|size. */
    static Map<String, List<Double>> read(Path jsonl) throws IOException {
        Map<String, List<Double>> r = new LinkedHashMap<>();
        for (String l : Files.readAllLines(jsonl)) {
            Matcher m = LINE.matcher(l.trim());
            if (!m.matches()) {
                throw new IOException(jsonl + ": not a shm group result line: " + l);
            }
            r.computeIfAbsent(m.group(1) + "|" + m.group(2) + "|" + m.group(3), k -> new ArrayList<>())
                    .add(Double.parseDouble(m.group(4)));
        }
        return r;
    }

    static double median(List<Double> v) {
        if (v == null || v.isEmpty()) {
            return Double.NaN;
        }
        return Paired.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** One run's median of a result. */
    static double of(Map<String, List<Double>> run, String bench, String channel, int size) {
        return median(run.get(bench + "|" + channel + "|" + size));
    }

    /** A per-run figure for every run that has it. */
    private double[] perRun(ToDoubleFunction<Map<String, List<Double>>> f) {
        return runs.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).toArray();
    }

    private double[] perRun(String bench, String channel, int size) {
        return perRun(r -> of(r, bench, channel, size));
    }

    private static double med(double[] a) {
        return median(Arrays.stream(a).boxed().toList());
    }

    /** "median [min - max]" over runs, or the single value with one run. */
    private String cell(double[] a, String fmt) {
        if (a.length == 0) {
            return "-";
        }
        double[] s = a.clone();
        Arrays.sort(s);
        String m = String.format(Locale.ROOT, fmt, med(s));
        return s.length == 1
                ? m
                : m + String.format(Locale.ROOT, " [" + fmt + " - " + fmt + "]", s[0], s[s.length - 1]);
    }

    private String perRunCells(double[] a, String fmt) {
        StringBuilder b = new StringBuilder();
        for (double x : a) {
            b.append(String.format(Locale.ROOT, " " + fmt + " |", x));
        }
        return b.toString();
    }

    private static long met(double[] a, double bound, boolean atLeast) {
        return Arrays.stream(a).filter(x -> atLeast ? x >= bound : x <= bound).count();
    }

    private void goal(StringBuilder b, String what, double[] a, String fmt, double bound, boolean atLeast) {
        b.append("| ").append(what).append(" |").append(perRunCells(a, fmt));
        for (int i = a.length; i < runs.size(); i++) {
            b.append(" - |");
        }
        b.append(String.format(Locale.ROOT, " %d of %d |%n", met(a, bound, atLeast), a.length));
    }

    private double[] ratio(String bench, String c1, String c2, int size) {
        return perRun(r -> of(r, bench, c1, size) / of(r, bench, c2, size));
    }

    /** p10/p50/p90/p99 round trips, with the reader's idle CPU beside the channels that have it. */
    private void tripTable(StringBuilder b, String bench, List<String> channels) {
        b.append(
                "| channel | p10 | p50 | p90 | p99 | echo's CPU per trip, gap included (µs) | idle reader CPU (ms/s) |\n"
                        + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (String c : channels) {
            double[] cpu = perRun("idle-cpu", c, 0);
            String idle = cpu.length == 0 ? "" : cell(cpu, "%.2f");
            if (c.startsWith("aeron") && cpu.length > 0) {
                idle += " + media driver " + cell(perRun("idle-cpu", "aeron-media-driver", 0), "%.2f");
            }
            b.append("| ").append(c);
            for (String q : List.of("-p10", "-p50", "-p90", "-p99")) {
                b.append(" | ").append(cell(perRun(bench + q, c, 64), "%.1f"));
            }
            b.append(" | ").append(cell(perRun(bench + "-cpu", c, 64), "%.1f"));
            b.append(" | ").append(idle).append(" |\n");
        }
    }

    String page() {
        StringBuilder b = new StringBuilder();
        int n = runs.size();
        b.append("# wakefd-shm benchmarks (issue 17)\n\n");
        b.append(
                        "Generated by `wakefd-bench/run-benchmarks.sh --group shm` (under `flock -x /tmp/wakefd-bench.lock`): ")
                .append(n)
                .append(n == 1 ? " JVM run" : " JVM runs")
                .append(
                        " of `dev.wakefd.bench.shm.ShmBench`, merged by `ShmBench --report`. Every process and thread is"
                                + " placed by the scheduler (no pinning); ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs. Each cell is the median over the runs of each run's own median, with the runs' range"
                        + " [lowest - highest] beside it; each goal is judged per run. Runs: ")
                .append(String.join(", ", names))
                .append(".\n\n");

        b.append("## Goals, run by run\n\n| goal |");
        for (int i = 1; i <= n; i++) {
            b.append(" run ").append(i).append(" |");
        }
        b.append(" met in |\n|---|");
        b.append("---:|".repeat(n)).append("---:|\n");
        goal(
                b,
                "throughput 64 B, shm / Unix socket (>= 20x)",
                ratio("throughput", "wakefd-shm", "unix-socket", 64),
                "%.1fx",
                20,
                true);
        goal(
                b,
                "throughput 64 B, shm / Aeron IPC busy spin (>= 0.8x)",
                ratio("throughput", "wakefd-shm", "aeron-ipc-busyspin", 64),
                "%.2fx",
                0.8,
                true);
        goal(
                b,
                "from idle p50, shm / Unix socket (<= 1)",
                ratio("from-idle-p50", "wakefd-shm", "unix-socket", 64),
                "%.2fx",
                1,
                false);
        goal(
                b,
                "from idle p50, shm / Aeron backoff (far below: <= 0.5)",
                ratio("from-idle-p50", "wakefd-shm", "aeron-ipc-backoff", 64),
                "%.2fx",
                0.5,
                false);
        if (runs.stream().anyMatch(r -> r.containsKey("from-idle-p50|eventfd-only|64"))) {
            // What any reader that sleeps in the kernel could reach in the same run: where Aeron's
            // echo is polling when the message comes, even this floor is not far below it.
            goal(
                    b,
                    "(beside it) the kernel-wake floor: two bare eventfds (eventfd-only) / Aeron backoff",
                    ratio("from-idle-p50", "eventfd-only", "aeron-ipc-backoff", 64),
                    "%.2fx",
                    0.5,
                    false);
            goal(
                    b,
                    "(beside it) Aeron backoff echo's CPU per trip / shm echo's",
                    ratio("from-idle-cpu", "aeron-ipc-backoff", "wakefd-shm", 64),
                    "%.2fx",
                    1,
                    true);
        }
        if (runs.stream().anyMatch(r -> r.containsKey("from-idle-2ms-p50|wakefd-shm|64"))) {
            goal(
                    b,
                    "(beside it) from idle p50 after a 2 ms gap, shm / Aeron backoff",
                    ratio("from-idle-2ms-p50", "wakefd-shm", "aeron-ipc-backoff", 64),
                    "%.2fx",
                    0.5,
                    false);
        }
        if (runs.stream().anyMatch(r -> r.containsKey("from-idle-1cpu-p50|wakefd-shm|64"))) {
            goal(
                    b,
                    "(beside it) from idle p50, shm / Aeron backoff, pinned: requester and echo on one CPU",
                    ratio("from-idle-1cpu-p50", "wakefd-shm", "aeron-ipc-backoff", 64),
                    "%.2fx",
                    0.5,
                    false);
        }
        goal(
                b,
                "idle reader CPU, shm / socket read(2) (<= 1.5x)",
                perRun(r -> of(r, "idle-cpu", "wakefd-shm", 0) / of(r, "idle-cpu", "unix-socket", 0)),
                "%.2fx",
                1.5,
                false);
        if (runs.stream().anyMatch(r -> r.containsKey("idle-cpu|" + ShmBench.SOCKET_WITH_FFM + "|0"))) {
            goal(
                    b,
                    "(beside it) the same against a socket reader whose JVM first linked wakefd's FFM downcalls",
                    perRun(r -> of(r, "idle-cpu", "wakefd-shm", 0) / of(r, "idle-cpu", ShmBench.SOCKET_WITH_FFM, 0)),
                    "%.2fx",
                    1.5,
                    false);
        }
        goal(
                b,
                "(beside it) the same without the JVM's own threads (ratio of ms/s + 0.001: 1 µs/s floor)",
                perRun(r -> (of(r, "idle-cpu-own", "wakefd-shm", 0) + 0.001)
                        / (of(r, "idle-cpu-own", "unix-socket", 0) + 0.001)),
                "%.2fx",
                1.5,
                false);
        b.append("| cache-line transfer between the two CPUs, median of the run's rounds (ns) |")
                .append(perRunCells(perRun(r -> median(all(r, "line-transfer", "cpu-pair"))), "%.0f"))
                .append(" |\n");
        b.append("\nThe 2-vCPU VM has two placements: both vCPUs on one core complex (line transfer about 50 ns) or"
                + " on two (about 200 ns). The ring pays about one line transfer per message on the producer (its"
                + " full fence per message, the tail's publication, waits for the lines the consumer reads; docs/design/shm-ring.md,"
                + " \"Cost per message\"), Aeron does not, so shm / Aeron follows the placement.\n");

        b.append("\n## Throughput, Java to Java across two processes (messages per second)\n\n");
        b.append("| size | wakefd-shm | Unix socket | Aeron IPC (busy spin) | shm / socket | shm / Aeron |\n"
                + "|---:|---:|---:|---:|---:|---:|\n");
        for (int size : new int[] {8, 64, 1024}) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %d B | %s | %s | %s | %s | %s |%n",
                    size,
                    cell(perRun("throughput", "wakefd-shm", size), "%,.0f"),
                    cell(perRun("throughput", "unix-socket", size), "%,.0f"),
                    cell(perRun("throughput", "aeron-ipc-busyspin", size), "%,.0f"),
                    cell(ratio("throughput", "wakefd-shm", "unix-socket", size), "%.1fx"),
                    cell(ratio("throughput", "wakefd-shm", "aeron-ipc-busyspin", size), "%.2fx")));
        }
        b.append("\nEach run: one warm-up round and ")
                .append(rounds())
                .append(" measured rounds of 1 s per size and channel, interleaved; the line transfer is measured"
                        + " before every wakefd-shm round (every round is in the run's log).\n");

        b.append("\n## One 64-byte message from idle (150 µs gap +- a third, random), round trip (µs)\n\n");
        tripTable(
                b,
                "from-idle",
                List.of("wakefd-shm", "wakefd-shm-nospin", "unix-socket", "aeron-ipc-backoff", "eventfd-only"));
        b.append("\nwakefd-shm-nospin: both ends with spinBeforeSleep(0). eventfd-only: the floor under wakefd-shm,"
                + " the same two JVMs and two eventfds with no ring. aeron-ipc-backoff: Agrona's"
                + " BackoffIdleStrategy with its defaults (10 spins, 5 yields, parks from 1 µs doubling to 1 ms) on"
                + " both sides, the embedded media driver in SHARED mode with its default idle strategy; its idle"
                + " CPU is below. A park of 1 µs lasts about 55 µs (the kernel's default 50 µs timer slack), so"
                + " 150 µs after its last message the echo parks about every 55 µs: a message waits for the park"
                + " in progress to end; trips that land just as it wakes find it polling (the p10).\n");
        if (runs.stream().anyMatch(r -> r.containsKey("from-idle-1cpu-p50|wakefd-shm|64"))) {
            b.append("\nBeside it, pinned (`taskset`): the requesting thread and every echo process on one CPU, the"
                    + " same 150 µs gaps, round trip (µs):\n\n");
            b.append("| channel | p10 | p50 | p90 | p99 | echo's CPU per trip, gap included (µs) |\n"
                    + "|---|---:|---:|---:|---:|---:|\n");
            for (String c : List.of("wakefd-shm", "unix-socket", "aeron-ipc-backoff", "eventfd-only")) {
                b.append("| ").append(c);
                for (String q : List.of("-p10", "-p50", "-p90", "-p99", "-cpu")) {
                    b.append(" | ").append(cell(perRun("from-idle-1cpu" + q, c, 64), "%.1f"));
                }
                b.append(" |\n");
            }
            b.append("\nAeron's backoff parks end early when a timer interrupt of another thread on the same CPU fires"
                    + " within their slack (the requester's gap ends with one), and the echo then runs when the"
                    + " requester yields in its own backoff: sharing a CPU with the requester, Aeron's echo is polling"
                    + " when the message comes; on another CPU it is not (`AeronPlacement` pins the two threads either"
                    + " way). The scheduler decides per run which of the two a free run gets, hence the range of"
                    + " Aeron's p50 above.\n");
        }
        if (runs.stream().anyMatch(r -> r.containsKey("from-idle-2ms-p50|wakefd-shm|64"))) {
            b.append("\nAfter a 2 ms gap (+- a third), the same echoes, round trip (µs):\n\n");
            tripTable(b, "from-idle-2ms", List.of("wakefd-shm", "unix-socket", "aeron-ipc-backoff", "eventfd-only"));
        }

        b.append("\n## Idle CPU (ms of CPU per second, /proc/PID/task/*/schedstat)\n\n");
        b.append("| reader | every thread of its JVM | without the JVM's own threads (JIT, GC, monitor deflation...) |"
                + " its JVM's anonymous resident memory (MB) |\n"
                + "|---|---:|---:|---:|\n");
        for (String c : List.of("wakefd-shm", "unix-socket", ShmBench.SOCKET_WITH_FFM, "aeron-ipc-backoff")) {
            if (perRun("idle-cpu", c, 0).length == 0) {
                continue;
            }
            b.append("| ")
                    .append(c)
                    .append(" | ")
                    .append(cell(perRun("idle-cpu", c, 0), "%.2f"))
                    .append(" | ")
                    .append(cell(perRun("idle-cpu-own", c, 0), "%.3f"))
                    .append(" | ")
                    .append(cell(perRun("idle-rss", c, 0), "%.0f"))
                    .append(" |\n");
        }
        b.append("| Aeron's media driver beside it (its one thread, SHARED mode) | ")
                .append(cell(perRun("idle-cpu", "aeron-media-driver", 0), "%.2f"))
                .append(" | | |\n");
        b.append("\nThe readers are measured over the same 10 s, 8 s after their last message (past the"
                + " memory their JVM returns to the OS after its compilations). A blocked reader's"
                + " JVM spends its idle CPU on the JVM's own housekeeping threads (monitor deflation, G1 service,"
                + " JIT), which vary from JVM to JVM by a few tenths of a ms/s; the run logs list every thread."
                + " In this VM each housekeeping wake costs more the more memory the process has resident"
                + " (`IdleMemory wakes 0 40 100`: about 2 µs more per wake per MB), and linking FFM downcalls"
                + " generates classes: heap garbage (`IdleMemory link`) and class-parsing memory. The"
                + " unix-socket+ffm reader's JVM links wakefd's downcalls first and then blocks in read(2) like"
                + " the plain socket reader (docs/shm.md, \"Idle CPU\").\n");

        if (runs.stream().anyMatch(r -> r.containsKey("java-to-python|wakefd-shm|64"))) {
            b.append("\n## Java and Python (64-byte messages)\n\n| exchange | wakefd-shm | Unix socket | ratio |\n"
                    + "|---|---:|---:|---:|\n");
            for (String e : List.of("java-to-python", "python-to-java")) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s throughput (msg/s) | %s | %s | %s |%n",
                        e,
                        cell(perRun(e, "wakefd-shm", 64), "%,.0f"),
                        cell(perRun(e, "unix-socket", 64), "%,.0f"),
                        cell(ratio(e, "wakefd-shm", "unix-socket", 64), "%.1fx")));
            }
            b.append(String.format(
                    Locale.ROOT,
                    "| Java -> Python -> Java from idle, p50 (µs) | %s | %s | %s |%n",
                    cell(perRun("python-from-idle-p50", "wakefd-shm", 64), "%.1f"),
                    cell(perRun("python-from-idle-p50", "unix-socket", 64), "%.1f"),
                    cell(ratio("python-from-idle-p50", "wakefd-shm", "unix-socket", 64), "%.2fx")));
        }
        return b.toString();
    }

    private static List<Double> all(Map<String, List<Double>> run, String bench, String channel) {
        List<Double> v = new ArrayList<>();
        run.forEach((k, x) -> {
            if (k.startsWith(bench + "|" + channel + "|")) {
                v.addAll(x);
            }
        });
        return v;
    }

    private int rounds() {
        return runs.stream()
                .mapToInt(r -> {
                    List<Double> v = r.get("throughput|wakefd-shm|64");
                    return v == null ? 0 : v.size();
                })
                .max()
                .orElse(0);
    }
}
