package dev.wakefd.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wakefd.bench.report.Row.Who;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes {@code docs/benchmarks.md} and {@code docs/benchmarks.svg} from one run's results: the C
 * floor's JSON lines and JMH's JSON files that {@code wakefd-bench/run-benchmarks.sh} leaves in
 * its output directory (see {@link Results} for the names). Every table puts wakefd beside the C
 * floor and its peers, with ratios to both; the goals from the issues are checked at the end.
 *
 * <pre>
 * java -cp wakefd-bench/target/benchmarks.jar dev.wakefd.bench.report.Report \
 *     --dir wakefd-bench/target/bench --md docs/benchmarks.md --svg docs/benchmarks.svg \
 *     --command "wakefd-bench/run-benchmarks.sh" [--quick] [--unpinned]
 * </pre>
 */
public final class Report {
    private static final String USAGE =
            "usage: Report --dir DIR --md FILE.md --svg FILE.svg [--json FILE.json] --command CMD [--quick] [--unpinned]";

    /** How the run was made: what the page must say about it. */
    record Options(String command, boolean quick, boolean pinned, String svgName) {}

    private static final List<Row> NOTIFY_WRITE = List.of(
            new Row("c/c.write", "C `write(2)` to an eventfd (floor)", Who.FLOOR),
            new Row("cost/NotifyBench.eventFdSignal", "wakefd `EventFd.signal()`", Who.WAKEFD),
            new Row("cost/NotifyBench.nettyEventFdWrite", "Netty 4.2 `Native.eventFdWrite` (JNI)", Who.PEER),
            new Row("cost/NotifyBench.pipeWrite", "JDK `Pipe` 1-byte write", Who.PEER),
            new Row(
                    "cost/FfmFloorBench.bareWriteCritical",
                    "detail: bare FFM `write(2)`, critical, no errno capture, no close guard",
                    Who.DETAIL),
            new Row(
                    "cost/FfmFloorBench.bareWrite",
                    "detail: bare FFM `write(2)`, not critical, errno captured, no close guard",
                    Who.DETAIL));
    private static final List<Row> NOTIFY_PENDING = List.of(
            new Row("c/c.flag_load", "C acquire-load of a set flag (floor)", Who.FLOOR),
            new Row("cost/NotifyBench.wakerWakePending", "wakefd `Waker.wake()`, wake pending", Who.WAKEFD),
            new Row(
                    "cost/NotifyBench.selectorWakeupCoalesced",
                    "JDK `Selector.wakeup()`, wakeup pending (coalesced)",
                    Who.PEER));
    private static final List<Row> NOTIFY_IDLE = List.of(
            new Row("c/c.write_read", "C `write(2)` then `read(2)` (floor)", Who.FLOOR),
            new Row(
                    "cost/NotifyBench.wakerWakeIdleThenDrain",
                    "wakefd `Waker.wake()` from idle, then `drain()`",
                    Who.WAKEFD),
            new Row(
                    "cost/NotifyBench.selectorWakeupThenSelectNow",
                    "JDK `Selector.wakeup()` then `selectNow()`",
                    Who.PEER));
    private static final List<Row> READ = List.of(
            new Row("c/c.read_empty", "C `read(2)` on an empty eventfd (floor)", Who.FLOOR),
            new Row("cost/ReadBench.tryReadEmpty", "wakefd `EventFd.tryRead()`", Who.WAKEFD),
            new Row("cost/ReadBench.wakerDrainEmpty", "wakefd `Waker.drain()`", Who.WAKEFD),
            new Row("cost/ReadBench.pipeReadEmpty", "JDK `Pipe` source read, non-blocking", Who.PEER),
            new Row(
                    "cost/FfmFloorBench.bareReadCritical",
                    "detail: bare FFM `read(2)`, critical, no errno capture, no close guard",
                    Who.DETAIL));
    private static final List<Row> ROUND_TRIP = List.of(
            new Row("c-{cpus}/c.roundtrip_poll_read", "C `poll(2)`+`read(2)` ping-pong (floor)", Who.FLOOR),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.awaitPlatform",
                    "wakefd `EventFd.await()`, platform threads",
                    Who.WAKEFD),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.wakerAwait",
                    "wakefd `Waker` wake/`await()`, platform threads",
                    Who.WAKEFD),
            new Row(
                    "virtual-{cpus}/VirtualRoundTripBench.await",
                    "wakefd `EventFd.await()`, virtual threads",
                    Who.WAKEFD),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.awaitVirtualEcho",
                    "wakefd `EventFd.await()`, platform caller, virtual echo",
                    Who.WAKEFD),
            new Row("roundtrip-{cpus}/RoundTripBench.poller", "wakefd `Poller` handler echo", Who.WAKEFD),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.nettyViaWakefd[transport=epoll]",
                    "wakefd-netty: into a Netty epoll loop and back via wakefd",
                    Who.WAKEFD),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.nettyViaWakefd[transport=io_uring]",
                    "wakefd-netty: into a Netty io_uring loop and back via wakefd",
                    Who.WAKEFD),
            new Row("roundtrip-{cpus}/RoundTripBench.selector", "JDK `Selector` wakeup/select", Who.PEER),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.lockSupport",
                    "JDK `LockSupport` park/unpark, platform threads",
                    Who.PEER),
            new Row(
                    "virtual-{cpus}/VirtualRoundTripBench.lockSupport",
                    "JDK `LockSupport` park/unpark, virtual threads",
                    Who.PEER),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.nettyExecute[transport=epoll]",
                    "Netty `eventLoop.execute()` hand-off, epoll",
                    Who.PEER),
            new Row(
                    "roundtrip-{cpus}/RoundTripBench.nettyExecute[transport=io_uring]",
                    "Netty `eventLoop.execute()` hand-off, io_uring",
                    Who.PEER));
    private static final int[] THREADS = {1, 2, 4};
    private static final int[] REGISTERED = {10, 1000, 10000};

    private Report() {}

    public static void main(String[] args) {
        Path dir = null, md = null, svg = null, json = null;
        String command = null;
        boolean quick = false, pinned = true;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--dir" -> dir = Path.of(value(args, ++i));
                    case "--md" -> md = Path.of(value(args, ++i));
                    case "--svg" -> svg = Path.of(value(args, ++i));
                    case "--json" -> json = Path.of(value(args, ++i));
                    case "--command" -> command = value(args, ++i);
                    case "--quick" -> quick = true;
                    case "--unpinned" -> pinned = false;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (dir == null || md == null || svg == null || command == null) {
                throw new IllegalArgumentException("--dir, --md, --svg and --command are required");
            }
            Results results = Results.load(dir);
            if (results.all().isEmpty()) {
                throw new IOException("no results (*.json, *.jsonl) in " + dir);
            }
            Options o = new Options(command, quick, pinned, svg.getFileName().toString());
            Machine machine = Machine.local();
            List<Table> tables = new ArrayList<>();
            Files.writeString(md, markdown(results, machine, o, tables));
            Files.writeString(svg, svg(results, o));
            if (json != null) {
                Files.writeString(json, json(results, machine, o, md, svg, tables));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("Report: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (IOException e) {
            System.err.println("Report: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    static String markdown(Results r, Machine machine, Options o) {
        return markdown(r, machine, o, new ArrayList<>());
    }

    /** The page; every table on it is also added to {@code tables}, in page order. */
    static String markdown(Results r, Machine machine, Options o, List<Table> tables) {
        StringBuilder b = new StringBuilder();
        Function<String, StringBuilder> w = s -> b.append(s).append('\n');
        w.apply("# wakefd benchmarks");
        w.apply("");
        w.apply("<!-- Generated by dev.wakefd.bench.report.Report; edit the generator, not this page. -->");
        w.apply("");
        if (o.quick()) {
            w.apply("> **Quick run.** No JMH forks (all benchmarks share one JVM, so JIT profiles mix), one short");
            w.apply("> warm-up and three 100 ms iterations, fewer C samples: the error bars are wide and the");
            w.apply("> numbers are a smoke test only. Run without `--quick` for numbers to quote.");
            w.apply("");
        }
        w.apply("Machine: " + machine.describe() + "; JDK: " + r.jdk() + ".  ");
        w.apply("JMH 1.37: " + r.jmhSettings() + ". Run on " + LocalDate.now(ZoneOffset.UTC) + ".  ");
        w.apply("Reproduce from the repository root with:");
        w.apply("");
        w.apply("```sh");
        w.apply(o.command());
        w.apply("```");
        w.apply("");
        w.apply("It builds the module, runs the C floor (`wakefd-bench/src/main/c/cfloor.c`, in a process with an");
        w.apply("extra idle thread, as a JVM always has), JMH and the paired comparisons (`dev.wakefd.bench.Paired`,");
        w.apply("below), then rewrites this page and `" + o.svgName() + "`.");
        w.apply("Costs are means ± the half-width of their 99.9% confidence interval (JMH's error; the C floor");
        w.apply("computes the same from its batches, and each of its figures averages a run before and one after");
        w.apply("the JMH group it is compared with; its error includes half the spread between the two). Round");
        w.apply("trips are sampled one trip at a time: p50 and p99, and");
        w.apply("the mean with its error. \"vs C floor\" divides by the C program doing the same system calls;");
        w.apply("\"vs best peer\" by the fastest JDK or Netty mechanism in the same table (below 1.00x is faster).");
        w.apply("");

        String notify = "Notify cost (ns per call, lower is better)";
        w.apply("## " + notify);
        w.apply("");
        costTable(b, tables, notify, r, "A wake that writes the eventfd", NOTIFY_WRITE);
        costTable(
                b,
                tables,
                notify,
                r,
                "A wake while one is already pending (coalesced: no system call)",
                NOTIFY_PENDING);
        costTable(b, tables, notify, r, "A wake from idle plus the read that re-arms it (not coalesced)", NOTIFY_IDLE);
        String read = "Read cost on an empty fd (ns per call)";
        w.apply("## " + read);
        w.apply("");
        costTable(b, tables, read, r, "What a loop pays to look at its wake fd and find nothing", READ);
        w.apply("Netty 4.2.18's `Native.eventFdRead` throws on an empty eventfd (EAGAIN), so it has no row here.");
        w.apply("");

        contention(b, tables, r, machine);

        String one = o.pinned() ? "one CPU (`taskset -c 0`)" : "one CPU: NOT PINNED (taskset missing), same as two";
        String trips = "Wake-up round trips (ns per trip, lower is better)";
        w.apply("## " + trips);
        w.apply("");
        w.apply("One trip: the benchmark thread wakes an echo side that sleeps, which wakes the benchmark thread");
        w.apply("back. With both threads on one CPU this measures the software; across two CPUs it includes");
        w.apply("waking an idle CPU, which under a hypervisor (a vCPU) dominates. Both are reported.");
        w.apply("");
        roundTrips(b, tables, trips, r, "On " + one, "1cpu");
        roundTrips(
                b,
                tables,
                trips,
                r,
                "Across " + (machine.cpus() > 1 ? "two CPUs (not pinned)" : "the CPUs (this machine has one)"),
                "2cpu");

        String dispatch = "Poller dispatch as registrations grow (one CPU, ns per round trip)";
        w.apply("## " + dispatch);
        w.apply("");
        w.apply("A round trip through one of N EventFds registered with one `Poller` (a different one each time,");
        w.apply("the rest idle). epoll should make it independent of N.");
        w.apply("");
        Table t = new Table(
                dispatch,
                null,
                List.of("Registered fds", "p50", "mean ± error", "p99", "p50 vs 10 fds"),
                "|---:|---:|---:|---:|---:|");
        Measurement base = r.get(dispatchKey(REGISTERED[0]));
        for (int n : REGISTERED) {
            Measurement m = r.get(dispatchKey(n));
            String registered = String.format(Locale.ROOT, "%,d", n);
            if (m == null) {
                t.row(registered, "not run", "", "", "");
            } else {
                t.row(
                        registered,
                        num(m.p50()),
                        withError(m),
                        num(m.p99()),
                        ratio(m.p50(), base == null ? Double.NaN : base.p50()));
            }
        }
        add(b, tables, t);

        w.apply("The waiting layer (issue 14: virtual threads against the JDK's Pipe, platform threads against");
        w.apply(
                "C at each placement, readAsync, idle CPU) has its own page: [benchmarks-waits.md](benchmarks-waits.md).");
        w.apply("");

        bridge(b, tables, r);
        Rivals.write(b, tables, r);
        posixFallback(b, tables, r);
        Goals.write(b, tables, r, machine, o);
        w.apply("![wakefd benchmarks: cost and round trips, log scale](" + o.svgName() + ")");
        return b.toString();
    }

    /**
     * The results JSON: the run's settings, every table of the page as it shows them, and every
     * measurement by key (numbers, null where unknown). {@code wakefd bench} reads it.
     */
    static String json(Results r, Machine machine, Options o, Path md, Path svg, List<Table> tables)
            throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", "wakefd-benchmarks/1");
        doc.put("command", o.command());
        doc.put("quick", o.quick());
        doc.put("pinned", o.pinned());
        doc.put("date", LocalDate.now(ZoneOffset.UTC).toString());
        doc.put("machine", machine.describe());
        doc.put("jdk", r.jdk());
        doc.put("jmh", r.jmhSettings());
        doc.put("markdown", md.toString());
        doc.put("chart", svg.toString());
        doc.put("tables", tables.stream().map(Table::toJson).toList());
        doc.put(
                "goals",
                Goals.judge(r, machine, o).stream().map(Goals.Verdict::toJson).toList());
        Map<String, Object> all = new LinkedHashMap<>();
        r.all().forEach((key, m) -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("score", finite(m.score()));
            v.put("error", finite(m.error()));
            v.put("p50", finite(m.p50()));
            v.put("p99", finite(m.p99()));
            v.put("unit", m.unit());
            all.put(key, v);
        });
        doc.put("measurements", all);
        return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** The POSIX-only fallback (pipe + poll(2), issue 18) beside eventfd/epoll, from one JMH run. */
    private static void posixFallback(StringBuilder b, List<Table> tables, Results r) {
        String[][] rows = {
            {"signalFromIdleThenTryRead", "`signal()` from idle + the `tryRead()` that re-arms it (ns)"},
            {"signalPending", "`signal()` while a count is pending (ns)"},
            {"tryReadEmpty", "`tryRead()` with nothing pending (ns)"},
            {"platformAwaitRoundTrip", "platform-thread `await()` round trip from idle, p50 (ns)"},
        };
        if (r.get("posix/PlatformCostLinuxBench." + rows[0][0]) == null
                && r.get("posix/PlatformCostPosixBench." + rows[0][0]) == null) {
            return; // the group did not run
        }
        String section = "POSIX-only fallback vs eventfd (what macOS and the BSDs get)";
        b.append("## ").append(section).append("\n\n");
        b.append("The same benchmarks (`PlatformCostBench`) forked once on Linux's calls (eventfd, epoll) and once\n");
        b.append("with `-Dwakefd.platform=posix` (a pipe made by pipe + fcntl, poll(2) waits), in one JMH run;\n");
        b.append("threads placed by the scheduler, round trips from idle (50 µs gap). Run alone with\n");
        b.append("`wakefd-bench/run-benchmarks.sh --group posix`.\n\n");
        Table t = new Table(
                section, null, List.of("What", "eventfd", "POSIX-only", "POSIX / eventfd"), "|---|---:|---:|---:|");
        for (String[] row : rows) {
            Measurement l = r.get("posix/PlatformCostLinuxBench." + row[0]);
            Measurement p = r.get("posix/PlatformCostPosixBench." + row[0]);
            t.row(
                    row[1],
                    l == null ? "not run" : cell(l),
                    p == null ? "not run" : cell(p),
                    l == null || p == null ? "" : ratio(p.typical(), l.typical()));
        }
        add(b, tables, t);
    }

    private static String cell(Measurement m) {
        return Double.isNaN(m.p50()) ? withError(m) : num(m.p50()) + " (p99 " + num(m.p99()) + ")";
    }

    /** Bridge throughput and latency (issue 8). */
    private static void bridge(StringBuilder b, List<Table> tables, Results r) {
        String[][] rows = {
            {
                "bridge/BridgeBench.bridge[mode=batched,pattern=%s]",
                "wakefd-bridge, batches of 64 (`sendMany`/`receiveMany`)"
            },
            {"bridge/BridgeBench.bridge[mode=single,pattern=%s]", "wakefd-bridge, one item at a time (`send`/`receive`)"
            },
            {"bridge/BridgeBench.spscParkUnpark[pattern=%s]", "plain SPSC array with `LockSupport` park/unpark"},
            {"bridge/BridgeBench.jdkQueue[pattern=%s,queue=LinkedTransferQueue]", "JDK `LinkedTransferQueue`"},
            {
                "bridge/BridgeBench.jdkQueue[pattern=%s,queue=ArrayBlockingQueue]",
                "JDK `ArrayBlockingQueue` (capacity 1024)"
            },
        };
        String section =
                "Bridge throughput: items per microsecond, one producer and one consumer thread (higher is better)";
        b.append("## ").append(section).append("\n\n");
        b.append("Capacity 1024 everywhere; each invocation sends 102,400 items and waits until all are taken.\n");
        b.append("The producer runs on CPU 0 and the consumer on CPU 1 (`sched_setaffinity`), for every channel.\n");
        b.append("Steady: the producer sends without pause. Bursts: 64 items, then the producer waits until the\n");
        b.append(
                "consumer has taken them, so the consumer finds the channel empty after every burst (the JDK queues\n");
        b.append(
                "and the park/unpark array then sleep and need a wake; the bridge's consumer decides per wait whether\n");
        b.append(
                "to look first, from how long recent waits lasted). The bridge's wake system calls per item are in the JMH log\n");
        b.append("(`wakeSyscalls` / `items`).\n\n");
        Table throughput = new Table(
                section,
                null,
                List.of(
                        "Channel",
                        "steady, items/us",
                        "vs ArrayBlockingQueue",
                        "bursts, items/us",
                        "vs ArrayBlockingQueue"),
                "|---|---:|---:|---:|---:|");
        for (String[] row : rows) {
            List<String> cells = new ArrayList<>(List.of(row[1]));
            for (String pattern : new String[] {"steady", "bursts"}) {
                Measurement m = r.get(row[0].formatted(pattern));
                Measurement abq = r.get(rows[4][0].formatted(pattern));
                cells.add(m == null ? "not run" : withError(m));
                cells.add(m == null ? "" : ratio(m.score(), abq == null ? Double.NaN : abq.score()));
            }
            throughput.row(cells.toArray(String[]::new));
        }
        add(b, tables, throughput);
        b.append(
                "Latency: a blocked bridge side decides per wait whether to look before it sleeps (docs/design/bridge-ring.md):\n");
        b.append(
                "after waking a thread that has not run yet it yields once and sleeps; after short recent waits it looks\n");
        b.append(
                "(spinning across CPUs, yielding on one); otherwise it sleeps at once. The other channels park at once.\n\n");
        for (String where : new String[] {"1cpu", ""}) {
            String file = where.isEmpty() ? "bridge-latency" : "bridge-latency-" + where;
            String title = where.isEmpty()
                    ? "Latency across two CPUs (not pinned): a burst to an echo thread and back, from idle (ns per op)"
                    : "Latency on one CPU (`taskset -c 0`): a burst to an echo thread and back, from idle (ns per op)";
            b.append("**").append(title).append("**\n\n");
            Table latency = new Table(
                    section,
                    title,
                    List.of("Channel", "burst", "p50", "p99", "p50 vs park/unpark"),
                    "|---|---:|---:|---:|---:|");
            for (String burst : new String[] {"1", "64"}) {
                String park = file + "/BridgeLatencyBench.spscParkUnpark[burst=" + burst + "]";
                String[][] lat = {
                    {file + "/BridgeLatencyBench.bridge[burst=" + burst + "]", "wakefd-bridge"},
                    {park, "plain SPSC ring with `LockSupport` park/unpark"},
                    {
                        file + "/BridgeLatencyBench.jdkQueue[burst=" + burst + ",queue=ArrayBlockingQueue]",
                        "JDK `ArrayBlockingQueue`"
                    },
                    {
                        file + "/BridgeLatencyBench.jdkQueue[burst=" + burst + ",queue=LinkedTransferQueue]",
                        "JDK `LinkedTransferQueue`"
                    },
                };
                Measurement pm = r.get(park);
                for (String[] row : lat) {
                    Measurement m = r.get(row[0]);
                    if (m == null) {
                        latency.row(row[1], burst, "not run", "", "");
                    } else {
                        latency.row(
                                row[1],
                                burst,
                                num(m.p50()),
                                num(m.p99()),
                                ratio(m.p50(), pm == null ? Double.NaN : pm.p50()));
                    }
                }
            }
            add(b, tables, latency);
        }
        pairedTable(b, tables, r);
    }

    /** The paired, interleaved comparisons (dev.wakefd.bench.Paired) that goals are judged by. */
    private static void pairedTable(StringBuilder b, List<Table> tables, Results r) {
        String[][] cost = {
            {"paired-cost/cost_signal_vs_c_write", "`EventFd.signal()`", "C `write(2)` loop, in-process"},
            {"paired-cost/cost_tryread_vs_c_read", "`EventFd.tryRead()` on empty", "C `read(2)` loop, in-process"},
            {"paired-cost/cost_signal_vs_netty", "`EventFd.signal()`", "Netty JNI `eventFdWrite`"},
            {
                "paired-cost/cost_write_tryread_vs_netty_write_read",
                "Netty write + `tryRead()`",
                "Netty write + JNI `eventFdRead`"
            },
        };
        String[][] bridge = {
            {"paired/throughput_single_steady", "bridge throughput, one item at a time, steady", "`ArrayBlockingQueue`"
            },
            {"paired/throughput_batched_steady", "bridge throughput, batches of 64, steady", "`ArrayBlockingQueue`"},
            {
                "paired/throughput_single_bursts",
                "bridge throughput, one item at a time, bursts of 64",
                "`ArrayBlockingQueue`"
            },
            {
                "paired/throughput_batched_bursts",
                "bridge throughput, batches of 64, bursts of 64",
                "`ArrayBlockingQueue`"
            },
            {
                "paired-1cpu/latency_1cpu_burst1",
                "bridge latency from idle on one CPU, burst 1 (p50)",
                "park/unpark SPSC ring"
            },
            {
                "paired-1cpu/latency_1cpu_burst64",
                "bridge latency from idle on one CPU, burst 64 (p50)",
                "park/unpark SPSC ring"
            },
        };
        String best = "park/unpark JCTools or `ArrayBlockingQueue`, whichever the bridge is slower against";
        String perRound = "the faster of the two in each round (biased against the bridge)";
        String park = "JCTools SPSC + park/unpark";
        String[][] rivals = { // issue 15's goals (PairedRivals)
            {"paired-rivals/idle_unpinned_vs_better", "one item from idle, p50, unpinned", best},
            {"paired-rivals/idle_apart_vs_better", "one item from idle, p50, pinned apart", best},
            {"paired-rivals-1cpu/idle_1cpu_vs_better", "one item from idle, p50, one CPU", best},
            {"paired-rivals/idle_unpinned_vs_best", "the same, unpinned", perRound},
            {"paired-rivals/idle_apart_vs_best", "the same, pinned apart", perRound},
            {"paired-rivals-1cpu/idle_1cpu_vs_best", "the same, one CPU", perRound},
            {"paired-rivals/steady_vs_jctoolsPark", "steady single items, items/us", park},
            {"paired-rivals/bursts_vs_jctoolsPark", "bursts of 64 + 20 us pause, items/us", park},
            {"paired-rivals/bursts_cpu_vs_jctoolsPark", "the same, consumer CPU share", park},
            {"paired-rivals/idleConsumer_vs_jctoolsPark", "idle consumer CPU, ns/s (ratio of ns/s + 1000)", park},
            {"paired-rivals/batches_vs_jctoolsSpin", "batches of 64, items/us", "busy-spinning JCTools SPSC"},
        };
        b.append("## Paired comparisons\n\n");
        boolean any = false;
        for (String[][] rows : new String[][][] {cost, bridge, rivals}) {
            for (String[] row : rows) {
                any |= r.paired(row[0]) != null;
            }
        }
        if (!any) {
            b.append("Not measured in this run.\n\n");
            return;
        }
        b.append("Both sides in one JVM, taking turns in short rounds (order alternating), so each round\n");
        b.append("compares them under the same machine conditions; each JVM reports the median of its per-round\n");
        b.append("ratios, and the ratio below is the mean over the JVMs with its 95% confidence interval\n");
        b.append("(`dev.wakefd.bench.Paired`). The goals that compare wakefd with a baseline are judged by these.\n");
        b.append("Values: the mean of the JVMs' medians (ns per call, items/us, or ns per round trip). The C loops\n");
        b.append("run in the JVM's own process (`src/main/c/cloops.c`, one downcall per loop, timed in C).\n\n");
        pairedRows(b, tables, r, "What", cost);
        pairedRows(b, tables, r, "Comparison", bridge);
        pairedRows(b, tables, r, "Issue 15 goal", rivals);
    }

    private static void pairedRows(StringBuilder b, List<Table> tables, Results r, String what, String[][] rows) {
        Table t = new Table(
                "Paired comparisons",
                null,
                List.of(what, "baseline", "wakefd", "baseline's", "wakefd / baseline"),
                "|---|---|---:|---:|---|");
        for (String[] row : rows) {
            PairedResult p = r.paired(row[0]);
            if (p == null) {
                t.row(row[1], row[2], "not run", "", "");
            } else {
                t.row(row[1], row[2], num(p.bridge()), num(p.baseline()), Goals.paired(p, ""));
            }
        }
        add(b, tables, t);
    }

    /** Puts {@code t} on the page, followed by a blank line, and in the results JSON. */
    static void add(StringBuilder b, List<Table> tables, Table t) {
        b.append(t.markdown()).append('\n');
        tables.add(t);
    }

    static String dispatchKey(int registered) {
        return "roundtrip-1cpu/PollerDispatchBench.dispatch[registered=" + registered + "]";
    }

    static String contentionKey(String what, int threads) {
        return "contention/ContentionBench." + what + "_" + threads + "t";
    }

    private static void costTable(
            StringBuilder b, List<Table> tables, String section, Results r, String title, List<Row> rows) {
        Measurement floor = floorOf(r, rows);
        Measurement peer = bestPeer(r, rows, Measurement::score);
        b.append("**").append(title).append("**\n\n");
        Table t = new Table(
                section, title, List.of("What", "ns/op", "vs C floor", "vs best peer"), "|---|---:|---:|---:|");
        for (Row row : rows) {
            Measurement m = r.get(row.key());
            if (m == null) {
                t.row(row.label(), "not run", "", "");
                continue;
            }
            t.row(
                    row.label(),
                    withError(m),
                    row.who() == Who.FLOOR ? "1.00x" : ratio(m.score(), floor == null ? Double.NaN : floor.score()),
                    ratio(m.score(), peer == null ? Double.NaN : peer.score()));
        }
        add(b, tables, t);
    }

    private static void roundTrips(
            StringBuilder b, List<Table> tables, String section, Results r, String title, String cpus) {
        List<Row> rows = ROUND_TRIP.stream().map(x -> x.forCpus(cpus)).toList();
        b.append("### ").append(title).append("\n\n");
        if (rows.stream().allMatch(x -> r.get(x.key()) == null)) {
            b.append("Not measured in this run.\n\n");
            return;
        }
        Measurement floor = floorOf(r, rows);
        Measurement peer = bestPeer(r, rows, Measurement::p50);
        Table t = new Table(
                section,
                title,
                List.of("Mechanism", "p50", "mean ± error", "p99", "p50 vs C floor", "p50 vs best peer"),
                "|---|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            Measurement m = r.get(row.key());
            if (m == null) {
                t.row(row.label(), "not run", "", "", "", "");
                continue;
            }
            t.row(
                    row.label(),
                    num(m.p50()),
                    withError(m),
                    num(m.p99()),
                    row.who() == Who.FLOOR ? "1.00x" : ratio(m.p50(), floor == null ? Double.NaN : floor.p50()),
                    ratio(m.p50(), peer == null ? Double.NaN : peer.p50()));
        }
        add(b, tables, t);
    }

    private static void contention(StringBuilder b, List<Table> tables, Results r, Machine machine) {
        String[][] cols = {
            {"wakerWake", "`Waker.wake()`, pending"},
            {"eventFdSignal", "`EventFd.signal()`"},
            {"selectorWakeup", "JDK `Selector.wakeup()`"},
        };
        String section = "Contention: calls per microsecond, all threads together (higher is better)";
        b.append("## ").append(section).append("\n\n");
        b.append("N threads call the same Waker (pending), EventFd or Selector. In brackets: the total rate\n");
        b.append("relative to one thread.\n\n");
        List<String> columns = new ArrayList<>(List.of("Threads"));
        for (String[] c : cols) {
            columns.add(c[1]);
        }
        Table table = new Table(section, null, columns, "|---:|" + "---:|".repeat(cols.length));
        for (int t : THREADS) {
            List<String> cells = new ArrayList<>(List.of(Integer.toString(t)));
            for (String[] c : cols) {
                Measurement m = r.get(contentionKey(c[0], t));
                Measurement one = r.get(contentionKey(c[0], 1));
                cells.add(
                        m == null
                                ? "not run"
                                : withError(m) + " (" + ratio(m.score(), one == null ? Double.NaN : one.score()) + ")");
            }
            table.row(cells.toArray(String[]::new));
        }
        add(b, tables, table);
        b.append("This machine has ")
                .append(machine.cpus())
                .append(machine.cpus() == 1 ? " CPU" : " CPUs")
                .append(", so rows with more threads than that share CPUs. A pending Waker is a read of a shared\n")
                .append(
                        "cache line, so its total rate can grow with threads; the kernel serialises writes to one eventfd,\n")
                .append("and the JDK's `wakeup()` takes a lock.\n\n");
    }

    /** The SVG: cost tables in one panel, round trips on one CPU and on two in two more. */
    static String svg(Results r, Options o) {
        List<Svg.Bar> cost = new ArrayList<>();
        for (List<Row> rows : List.of(NOTIFY_WRITE, NOTIFY_PENDING, NOTIFY_IDLE, READ)) {
            for (Row row : rows) {
                Measurement m = r.get(row.key());
                if (m != null) {
                    cost.add(new Svg.Bar(row.label(), m.score(), m.error(), row.who()));
                }
            }
        }
        List<Svg.Panel> panels = new ArrayList<>();
        panels.add(new Svg.Panel("Notify and read cost, mean", "ns per call", cost));
        for (String cpus : List.of("1cpu", "2cpu")) {
            List<Svg.Bar> trips = new ArrayList<>();
            for (Row row : ROUND_TRIP) {
                Measurement m = r.get(row.forCpus(cpus).key());
                if (m != null) {
                    trips.add(new Svg.Bar(row.label(), m.p50(), Double.NaN, row.who()));
                }
            }
            String where = cpus.equals("1cpu") ? (o.pinned() ? "one CPU" : "one CPU (not pinned)") : "two CPUs";
            panels.add(new Svg.Panel("Wake-up round trip on " + where + ", p50", "ns per trip", trips));
        }
        return Svg.render("wakefd benchmarks" + (o.quick() ? " (quick run: smoke test only)" : ""), panels);
    }

    private static Measurement floorOf(Results r, List<Row> rows) {
        return rows.stream()
                .filter(x -> x.who() == Who.FLOOR)
                .map(x -> r.get(x.key()))
                .filter(m -> m != null)
                .findFirst()
                .orElse(null);
    }

    /** The peer with the lowest value of {@code by} (all tables using this are "lower is better"). */
    private static Measurement bestPeer(
            Results r, List<Row> rows, java.util.function.ToDoubleFunction<Measurement> by) {
        Measurement best = null;
        for (Row row : rows) {
            Measurement m = r.get(row.key());
            if (row.who() == Who.PEER
                    && m != null
                    && Double.isFinite(by.applyAsDouble(m))
                    && (best == null || by.applyAsDouble(m) < by.applyAsDouble(best))) {
                best = m;
            }
        }
        return best;
    }

    static String withError(Measurement m) {
        return Double.isFinite(m.error()) ? num(m.score()) + " ± " + num(m.error(), m.score()) : num(m.score());
    }

    /** A number with as many decimals as its size calls for: 0.72, 23.1, 1,068. */
    static String num(double v) {
        return num(v, v);
    }

    /** {@code v} with the decimals that suit {@code scale} (so an error matches its value). */
    static String num(double v, double scale) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        double a = Math.abs(scale);
        String f = a < 10 ? "%,.2f" : a < 100 ? "%,.1f" : "%,.0f";
        return String.format(Locale.ROOT, f, v);
    }

    /** x / y as "1.14x" (three decimals below 0.1x); n/a when either is unknown. */
    static String ratio(double x, double y) {
        if (!Double.isFinite(x) || !Double.isFinite(y) || y <= 0) {
            return "n/a";
        }
        double q = x / y;
        return String.format(Locale.ROOT, q < 0.1 ? "%.3fx" : "%.2fx", q);
    }
}
