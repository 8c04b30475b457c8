package dev.wakefd.bench.report;

/**
 * One result as the report uses it, from JMH or from the C floor. {@code score} is the mean (JMH's
 * score), {@code error} the half-width of its 99.9% confidence interval (NaN when unknown), and
 * {@code p50}/{@code p99} the percentiles when the source sampled single operations (NaN
 * otherwise).
 */
record Measurement(double score, double error, double p50, double p99, String unit) {

    /** The median when known, else the mean: what round-trip tables compare. */
    double typical() {
        return Double.isNaN(p50) ? score : p50;
    }
}
