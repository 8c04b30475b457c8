package dev.wakefd.bench.report;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;

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

    /** Student's t, two-sided 95%, for {@code df} degrees of freedom. */
    static double t95(int df) {
        return new TDistribution(df).inverseCumulativeProbability(0.975);
    }

    private static double mean(List<Double> v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.isEmpty() ? Double.NaN : s / v.size();
    }
}
