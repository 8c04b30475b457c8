package dev.wakefd.bench.report;

import java.util.Locale;

/** The performance goals the issues set, checked against one run. */
final class Goals {
    private Goals() {}

    static void write(StringBuilder b, java.util.List<Table> tables, Results r, Machine machine, Report.Options o) {
        String section = "Goals from the issues";
        b.append("## ").append(section).append("\n\n");
        if (o.quick()) {
            b.append("A quick run cannot settle these; the verdicts below are indicative only.\n\n");
        }
        Table t = new Table(section, null, java.util.List.of("Goal", "This run", "Verdict"), "|---|---|---|");
        double write = score(r, "c/c.write");
        double read = score(r, "c/c.read_empty");
        double signal = score(r, "cost/NotifyBench.eventFdSignal");
        double tryRead = score(r, "cost/ReadBench.tryReadEmpty");
        double netty = score(r, "cost/NotifyBench.nettyEventFdWrite");
        double pending = score(r, "cost/NotifyBench.wakerWakePending");
        double selector = score(r, "cost/NotifyBench.selectorWakeupCoalesced");

        // From the paired, in-process runs when there are some (see dev.wakefd.bench.Paired), else JMH.
        PairedResult pw = r.paired("paired-cost/cost_signal_vs_c_write");
        PairedResult pr = r.paired("paired-cost/cost_tryread_vs_c_read");
        PairedResult pn = r.paired("paired-cost/cost_signal_vs_netty");
        PairedResult pnr = r.paired("paired-cost/cost_write_tryread_vs_netty_write_read");
        String g1 = "`signal()` within 1.10x of C `write(2)`";
        String g2 = "`tryRead()` on empty within 1.10x of C `read(2)`";
        String g3 = "`signal()` faster than Netty's JNI `eventFdWrite`";
        if (pw != null) {
            row(t, g1, paired(pw, ""), pw.ratio() <= 1.10);
        } else {
            row(t, g1, times(signal / write), signal / write <= 1.10);
        }
        if (pr != null) {
            row(t, g2, paired(pr, ""), pr.ratio() <= 1.10);
        } else {
            row(t, g2, times(tryRead / read), tryRead / read <= 1.10);
        }
        if (pn != null) {
            row(t, g3, paired(pn, " of Netty's time"), pn.ratio() < 1);
        } else {
            row(t, g3, times(signal / netty) + " of Netty's time", signal < netty);
        }
        // Netty's eventFdRead throws on an empty eventfd: the reads are compared with a count to take,
        // each after the same Netty write (a ratio of the pairs; only its side of 1.00x is the verdict).
        row(
                t,
                "`tryRead()` faster than Netty's JNI `eventFdRead` (with a count to take; pairs with the same write)",
                pnr == null ? "n/a" : paired(pnr, " of Netty's pair"),
                pnr != null && pnr.ratio() < 1);
        row(t, "`Waker.wake()` while pending at most 2 ns", Report.num(pending) + " ns", pending <= 2);
        row(
                t,
                "`Waker.wake()` pending at least 100x cheaper than Netty's `eventFdWrite`",
                times(netty / pending) + " cheaper",
                netty / pending >= 100);
        row(
                t,
                "`Waker.wake()` pending at least 5x cheaper than the JDK's coalesced `Selector.wakeup()`",
                times(selector / pending) + " cheaper",
                selector / pending >= 5);

        int k = Math.min(4, machine.cpus());
        double one = score(r, Report.contentionKey("wakerWake", 1));
        double many = score(r, Report.contentionKey("wakerWake", k));
        if (k < 2) {
            t.row("Waker's total wake rate grows with threads", "one CPU: cannot grow", "not applicable");
        } else {
            row(
                    t,
                    "Waker's total wake rate grows with threads (1 to " + k + ", the CPUs available)",
                    times(many / one) + " the one-thread rate",
                    many > one);
        }

        double c1 = p50(r, "c-1cpu/c.roundtrip_poll_read");
        double await1 = p50(r, "roundtrip-1cpu/RoundTripBench.awaitPlatform");
        double sel1 = p50(r, "roundtrip-1cpu/RoundTripBench.selector");
        double virtual1 = p50(r, "virtual-1cpu/VirtualRoundTripBench.await");
        String pin = o.pinned() ? "" : " (NOT pinned: taskset missing)";
        row(
                t,
                "platform `await` round trip within 1.15x of C on one CPU" + pin,
                times(await1 / c1),
                await1 / c1 <= 1.15);
        row(
                t,
                "platform `await` round trip at least 2x faster than the `Selector` ping-pong" + pin,
                times(sel1 / await1) + " faster",
                sel1 / await1 >= 2);
        row(
                t,
                "virtual-thread round trip within 2x of the platform one" + pin,
                times(virtual1 / await1),
                virtual1 / await1 <= 2);

        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (int n : new int[] {10, 1000, 10000}) {
            double v = p50(r, Report.dispatchKey(n));
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        row(
                t,
                "poller dispatch flat within 1.3x from 10 to 10,000 fds (slowest p50 / fastest p50)",
                times(hi / lo),
                hi / lo <= 1.3);

        // Bridge against its baselines: from the paired, interleaved runs when there are some (both
        // channels measured in the same seconds; see dev.wakefd.bench.Paired), else from JMH.
        for (String pattern : new String[] {"steady", "bursts"}) {
            double abq = score(r, "bridge/BridgeBench.jdkQueue[pattern=" + pattern + ",queue=ArrayBlockingQueue]");
            for (String mode : new String[] {"batched", "single"}) {
                String goal = "bridge throughput at least 5x `ArrayBlockingQueue`'s (" + mode + ", " + pattern + ")";
                PairedResult p = r.paired("paired/throughput_" + mode + "_" + pattern);
                if (p != null) {
                    row(t, goal, paired(p, ""), p.ratio() >= 5);
                } else {
                    double bridge = score(r, "bridge/BridgeBench.bridge[mode=" + mode + ",pattern=" + pattern + "]");
                    row(t, goal, times(bridge / abq), bridge / abq >= 5);
                }
            }
        }
        for (String burst : new String[] {"1", "64"}) {
            String goal = "bridge latency from idle no more than a park/unpark hand-off (one CPU, burst " + burst
                    + ", p50)" + pin;
            PairedResult p = r.paired("paired-1cpu/latency_1cpu_burst" + burst);
            if (p != null) {
                row(t, goal, paired(p, " of park/unpark's"), p.ratio() <= 1);
            } else {
                double bridge = p50(r, "bridge-latency-1cpu/BridgeLatencyBench.bridge[burst=" + burst + "]");
                double park = p50(r, "bridge-latency-1cpu/BridgeLatencyBench.spscParkUnpark[burst=" + burst + "]");
                row(t, goal, times(bridge / park) + " of park/unpark's", bridge <= park);
            }
        }
        Report.add(b, tables, t);
    }

    /** A goal's line; a NaN anywhere in the figure means a benchmark did not run. */
    private static void row(Table t, String goal, String figure, boolean met) {
        boolean measured = !figure.contains("n/a") && !figure.contains("NaN");
        t.row(goal, measured ? figure : "n/a", !measured ? "not measured" : met ? "met" : "**not met**");
    }

    /**
     * "5.27x (paired, 5 JVMs, 95% CI 5.01-5.53)": the mean of the JVMs' ratios. Within 5% of 1.00x,
     * where a verdict can turn on the third decimal, three decimals.
     */
    static String paired(PairedResult p, String suffix) {
        double e = p.ratioError();
        String f = Math.abs(p.ratio() - 1) < 0.05 ? "%.3f" : "%.2f";
        String ci = Double.isNaN(e)
                ? ""
                : String.format(Locale.ROOT, ", 95%% CI " + f + "-" + f, p.ratio() - e, p.ratio() + e);
        String ratio = Double.isFinite(p.ratio()) ? String.format(Locale.ROOT, f + "x", p.ratio()) : "n/a";
        return ratio + suffix + " (paired, " + p.jvms() + (p.jvms() == 1 ? " JVM" : " JVMs") + ci + ")";
    }

    private static String times(double q) {
        return Double.isFinite(q) && q > 0 ? String.format(Locale.ROOT, "%.2fx", q) : "n/a";
    }

    private static double score(Results r, String key) {
        Measurement m = r.get(key);
        return m == null ? Double.NaN : m.score();
    }

    private static double p50(Results r, String key) {
        Measurement m = r.get(key);
        return m == null ? Double.NaN : m.typical();
    }
}
