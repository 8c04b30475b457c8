package dev.wakefd.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The bridge against the libraries users pick instead (BridgeRivalsBench, issue 15): from idle in
 * three placements, steady single items, bursts with pauses, an idle consumer's CPU, batches; and
 * the goals judged from the same run. Groups: bridge-rivals (unpinned and pinned apart)
 * and bridge-rivals-1cpu (the whole JVM under taskset -c 0).
 */
final class Rivals {
    private Rivals() {}

    static final String[][] CHANNELS = {
        {"bridge", "wakefd-bridge"},
        {"jctoolsPark", "JCTools `SpscArrayQueue` + park/unpark"},
        {"disruptorBlocking", "Disruptor, `BlockingWaitStrategy`"},
        {"disruptorYielding", "Disruptor, `YieldingWaitStrategy`"},
        {"agronaBackoff", "Agrona `OneToOneConcurrentArrayQueue` + `BackoffIdleStrategy`"},
        {"arrayBlockingQueue", "JDK `ArrayBlockingQueue`"},
    };

    static String fromIdleKey(String channel, String placement) {
        return placement.equals("1cpu")
                ? "bridge-rivals-1cpu/BridgeRivalsBench.fromIdle[channel=" + channel + ",placement=unpinned]"
                : "bridge-rivals/BridgeRivalsBench.fromIdle[channel=" + channel + ",placement=" + placement + "]";
    }

    static String flowKey(String bench, String channel) {
        return "bridge-rivals/BridgeRivalsBench." + bench + "[channel=" + channel + "]";
    }

    /** The consumer's CPU over wall time in the benchmark {@code key} (aux counters), or NaN. */
    static double cpuShare(Results r, String key) {
        Measurement cpu = r.get(key + ":consumerCpuNanos");
        Measurement wall = r.get(key + ":wallNanos");
        return cpu == null || wall == null || wall.score() <= 0 ? Double.NaN : cpu.score() / wall.score();
    }

    static double p50(Results r, String key) {
        Measurement m = r.get(key);
        return m == null ? Double.NaN : m.p50();
    }

    static double score(Results r, String key) {
        Measurement m = r.get(key);
        return m == null ? Double.NaN : m.score();
    }

    static void write(StringBuilder b, Results r) {
        write(b, new ArrayList<>(), r);
    }

    /** The section; its tables are also added to {@code tables}, in page order. */
    static void write(StringBuilder b, List<Table> tables, Results r) {
        if (r.get(flowKey("steady", "bridge")) == null && r.get(fromIdleKey("bridge", "unpinned")) == null) {
            return; // the group did not run
        }
        String[] placements = {"unpinned", "apart", "1cpu"};
        String section = "The bridge against its rivals (issue 15)";
        b.append("## ").append(section).append("\n\n");
        b.append("`BridgeRivalsBench`, one JMH run per group (`run-benchmarks.sh --group bridge-rivals`, and\n");
        b.append(
                "`--group bridge-rivals-1cpu` for the one-CPU column). One item to an echo thread and back after an idle gap\n");
        b.append(
                "(the JMH thread parks >= 150 us), p50 in us. Unpinned: threads where the scheduler puts them (the primary\n");
        b.append(
                "figure); apart: JMH thread on CPU 0, echo on CPU 1; one CPU: the whole JVM under `taskset -c 0`.\n\n");
        Table idle = new Table(
                section,
                null,
                List.of("Channel", "from idle, unpinned", "pinned apart", "one CPU"),
                "|---|---:|---:|---:|");
        for (String[] c : CHANNELS) {
            List<String> cells = new ArrayList<>(List.of(c[1]));
            for (String pl : placements) {
                cells.add(Report.num(p50(r, fromIdleKey(c[0], pl)) / 1000));
            }
            idle.row(cells.toArray(String[]::new));
        }
        List<String> vsBest = new ArrayList<>(List.of("**bridge / best of park/unpark JCTools and ABQ** (goal "
                + Goals.target("rivals-from-idle-unpinned") + "x)"));
        for (String pl : placements) {
            double best =
                    Math.min(p50(r, fromIdleKey("jctoolsPark", pl)), p50(r, fromIdleKey("arrayBlockingQueue", pl)));
            vsBest.add(Report.ratio(p50(r, fromIdleKey("bridge", pl)), best));
        }
        idle.row(vsBest.toArray(String[]::new));
        Report.add(b, tables, idle);

        b.append(
                "Flow, threads unpinned: steady single items (items/us); bursts of 64 then a 20 us pause (the producer\n");
        b.append(
                "busy-waits), items/us and the consumer thread's CPU time over wall time; an idle consumer's CPU after one\n");
        b.append("item, per second of idleness.\n\n");
        Table flow = new Table(
                section,
                null,
                List.of(
                        "Channel",
                        "steady, items/us",
                        "steady consumer CPU",
                        "bursts, items/us",
                        "bursts consumer CPU",
                        "idle consumer CPU per s"),
                "|---|---:|---:|---:|---:|---:|");
        for (String[] c : CHANNELS) {
            flow.row(
                    c[1],
                    Report.num(score(r, flowKey("steady", c[0]))),
                    pct(cpuShare(r, flowKey("steady", c[0]))),
                    Report.num(score(r, flowKey("bursts", c[0]))),
                    pct(cpuShare(r, flowKey("bursts", c[0]))),
                    perSecond(cpuShare(r, flowKey("idleConsumer", c[0]))));
        }
        Report.add(b, tables, flow);
        double batch = score(r, "bridge-rivals/BridgeRivalsBench.batches[channel=bridge]");
        double spin = score(r, "bridge-rivals/BridgeRivalsBench.batches[channel=jctoolsSpin]");
        b.append("Batches of 64 (`sendMany`/`receiveMany`): ")
                .append(Report.num(batch))
                .append(" items/us; busy-spinning JCTools (offer per item, drain up to 64): ")
                .append(Report.num(spin))
                .append(" items/us; ratio ")
                .append(Report.ratio(batch, spin))
                .append(" (goal " + Goals.target("rivals-batches") + "x).\n\n");

        double park = score(r, flowKey("steady", "jctoolsPark"));
        double bursts = score(r, flowKey("bursts", "bridge"));
        double burstsPark = score(r, flowKey("bursts", "jctoolsPark"));
        b.append("Goals: steady ")
                .append(Report.ratio(score(r, flowKey("steady", "bridge")), park))
                .append(" park/unpark JCTools (goal " + Goals.target("rivals-steady") + "x); idle consumer CPU ")
                .append(Report.ratio(
                        cpuShare(r, flowKey("idleConsumer", "bridge")),
                        cpuShare(r, flowKey("idleConsumer", "jctoolsPark"))))
                .append(" of it (goal " + Goals.target("rivals-idle-cpu") + "x); bursts consumer CPU ")
                .append(Report.ratio(
                        cpuShare(r, flowKey("bursts", "bridge")), cpuShare(r, flowKey("bursts", "jctoolsPark"))))
                .append(" (goal " + Goals.target("rivals-bursts-cpu") + "x), throughput ")
                .append(Report.ratio(bursts, burstsPark))
                .append(" (goal " + Goals.target("rivals-bursts") + "x).\n\n");
    }

    private static String pct(double share) {
        return Double.isNaN(share) ? "not run" : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String perSecond(double share) {
        if (Double.isNaN(share)) {
            return "not run";
        }
        double us = share * 1e6;
        return us >= 1000
                ? String.format(java.util.Locale.ROOT, "%.1f ms", us / 1000)
                : String.format(java.util.Locale.ROOT, "%.0f us", us);
    }
}
