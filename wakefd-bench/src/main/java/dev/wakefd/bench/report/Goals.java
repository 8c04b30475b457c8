package dev.wakefd.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The performance goals the issues set, judged against one run. The goals themselves (what is
 * compared with what, and the target) are data: {@code goals.json} beside this class.
 */
final class Goals {
    private Goals() {}

    static final String SECTION = "Goals from the issues";

    /** One goal as {@code goals.json} states it; see its "about" for the fields. */
    record Goal(
            String id,
            String goal,
            String note,
            String measure,
            List<String> keys,
            String stat,
            String paired,
            String target,
            String suffix,
            boolean oneCpu,
            Integer threads) {}

    /** The file's shape: a description and the goals in page order. */
    record File(List<String> about, List<Goal> goals) {}

    /**
     * A goal's outcome in one run: the figure as the page shows it, the number it was judged by
     * (NaN when not measured), and the verdict ("met", "not met", "not measured", "not applicable").
     */
    record Verdict(String goal, String figure, double value, String target, boolean paired, String verdict) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("goal", goal);
            m.put("figure", figure);
            m.put("value", Double.isFinite(value) ? value : null);
            m.put("target", target);
            m.put("paired", paired);
            m.put("verdict", verdict);
            return m;
        }
    }

    /** The goals in {@code goals.json}, in page order. */
    static List<Goal> load() {
        try (InputStream in = Goals.class.getResourceAsStream("goals.json")) {
            if (in == null) {
                throw new IOException("goals.json: not on the class path beside " + Goals.class.getName());
            }
            return new ObjectMapper().readValue(in, File.class).goals();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(StringBuilder b, List<Table> tables, Results r, Machine machine, Report.Options o) {
        b.append("## ").append(SECTION).append("\n\n");
        if (o.quick()) {
            b.append("A quick run cannot settle these; the verdicts below are indicative only.\n\n");
        }
        Table t = new Table(SECTION, null, List.of("Goal", "This run", "Verdict"), "|---|---|---|");
        for (Verdict v : judge(r, machine, o)) {
            t.row(v.goal(), v.figure(), v.verdict().equals("not met") ? "**not met**" : v.verdict());
        }
        Report.add(b, tables, t);
    }

    /** Every goal of {@code goals.json} judged against {@code r}, in page order. */
    static List<Verdict> judge(Results r, Machine machine, Report.Options o) {
        String pin = o.pinned() ? "" : " (NOT pinned: taskset missing)";
        List<Verdict> out = new ArrayList<>();
        for (Goal g : load()) {
            String text = g.goal() + (g.oneCpu() ? pin : "");
            String suffix = g.suffix() == null ? "" : g.suffix();
            PairedResult p = g.paired() == null ? null : r.paired(g.paired());
            if (p != null) {
                out.add(verdict(g, text, paired(p, suffix), p.ratio(), true));
                continue;
            }
            List<String> keys = g.keys();
            switch (g.measure()) {
                case "ratio" -> {
                    double q = keys.isEmpty() ? Double.NaN : stat(r, g, keys.get(0)) / smallest(r, g, keys);
                    out.add(verdict(g, text, keys.isEmpty() ? "n/a" : times(q) + suffix, q, false));
                }
                case "value" -> {
                    double v = stat(r, g, keys.get(0));
                    out.add(verdict(g, text, Report.num(v) + suffix, v, false));
                }
                case "growth" -> {
                    int k = Math.min(g.threads(), machine.cpus());
                    if (k < 2) {
                        out.add(new Verdict(
                                g.goal(), "one CPU: cannot grow", Double.NaN, g.target(), false, "not applicable"));
                    } else {
                        String key = keys.get(0);
                        double q = stat(r, g, key.replace("{threads}", Integer.toString(k)))
                                / stat(r, g, key.replace("{threads}", "1"));
                        String within = text + " (1 to " + k + ", the CPUs available)";
                        out.add(verdict(g, within, times(q) + suffix, q, false));
                    }
                }
                case "spread" -> {
                    double lo = Double.POSITIVE_INFINITY, hi = 0;
                    for (String key : keys) {
                        double v = stat(r, g, key);
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                    out.add(verdict(g, text, times(hi / lo) + suffix, hi / lo, false));
                }
                default ->
                    throw new IllegalArgumentException("goals.json: goal '" + g.goal() + "' has measure '" + g.measure()
                            + "'; expected ratio, value, growth or spread");
            }
        }
        return out;
    }

    /** The target of the goal with this {@code id}, e.g. {@code ">= 3"}, for a page that quotes it. */
    static String target(String id) {
        return load().stream()
                .filter(g -> id.equals(g.id()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("goals.json has no goal with id '" + id + "'"))
                .target();
    }

    /** The smallest of {@code keys[1..]} (NaN if any is missing, as Math.min does). */
    private static double smallest(Results r, Goal g, List<String> keys) {
        double min = Double.POSITIVE_INFINITY;
        for (String key : keys.subList(1, keys.size())) {
            min = Math.min(min, stat(r, g, key));
        }
        return min;
    }

    /** A goal's line; a NaN anywhere in the figure means a benchmark did not run. */
    private static Verdict verdict(Goal g, String text, String figure, double value, boolean paired) {
        boolean measured = !figure.contains("n/a") && !figure.contains("NaN");
        String verdict = !measured ? "not measured" : meets(value, g) ? "met" : "not met";
        return new Verdict(text, measured ? figure : "n/a", measured ? value : Double.NaN, g.target(), paired, verdict);
    }

    /** Whether {@code value} passes the goal's target, e.g. {@code "<= 1.10"}. */
    static boolean meets(double value, Goal g) {
        String[] t = g.target().trim().split("\\s+");
        if (t.length != 2) {
            throw new IllegalArgumentException("goals.json: goal '" + g.goal() + "' has target '" + g.target()
                    + "'; expected an operator and a number, e.g. \"<= 1.10\"");
        }
        double bound = Double.parseDouble(t[1]);
        return switch (t[0]) {
            case "<=" -> value <= bound;
            case "<" -> value < bound;
            case ">=" -> value >= bound;
            case ">" -> value > bound;
            default ->
                throw new IllegalArgumentException("goals.json: goal '" + g.goal() + "' has target '" + g.target()
                        + "'; the operator must be <=, <, >= or >");
        };
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

    /** The goal's statistic of one result (see goals.json's "about"); NaN if absent. */
    private static double stat(Results r, Goal g, String key) {
        Measurement m = r.get(key);
        if (m == null) {
            return Double.NaN;
        }
        return switch (g.stat() == null ? "score" : g.stat()) {
            case "score" -> m.score();
            case "p50" -> m.typical();
            case "cpuShare" -> Rivals.cpuShare(r, key);
            default ->
                throw new IllegalArgumentException("goals.json: goal '" + g.goal() + "' has stat '" + g.stat()
                        + "'; expected score, p50 or cpuShare");
        };
    }
}
