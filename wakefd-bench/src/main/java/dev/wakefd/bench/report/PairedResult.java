package dev.wakefd.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * One paired comparison ({@code dev.wakefd.bench.Paired}) over the JVMs that ran it: each JVM gave
 * the median of its per-round ratios (bridge / baseline) and the medians of each side's values.
 * The JVMs are the independent samples (JIT and layout differ between them, rounds within one do
 * not), so the ratio is their mean, with a 95% confidence interval from Student's t.
 */
final class PairedResult {
    private final List<Double> ratios = new ArrayList<>();
    private final List<Double> bridge = new ArrayList<>();
    private final List<Double> baseline = new ArrayList<>();
    private final String unit;

    PairedResult(String unit) {
        this.unit = unit;
    }

    void add(double ratio, double bridgeValue, double baselineValue) {
        ratios.add(ratio);
        bridge.add(bridgeValue);
        baseline.add(baselineValue);
    }

    int jvms() {
        return ratios.size();
    }

    String unit() {
        return unit;
    }

    double ratio() {
        return mean(ratios);
    }

    double bridge() {
        return mean(bridge);
    }

    double baseline() {
        return mean(baseline);
    }

    /** Half the width of the ratio's 95% confidence interval; NaN with a single JVM. */
    double ratioError() {
        int n = ratios.size();
        if (n < 2) {
            return Double.NaN;
        }
        double m = ratio();
        double ss = 0;
        for (double r : ratios) {
            ss += (r - m) * (r - m);
        }
        return t95(n - 1) * Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
    }

    /** Student's t, two-sided 95%, for {@code df} degrees of freedom (normal beyond 30). */
    static double t95(int df) {
        double[] t = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
        return df >= 1 && df <= t.length ? t[df - 1] : 1.960;
    }

    private static double mean(List<Double> v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.isEmpty() ? Double.NaN : s / v.size();
    }
}
