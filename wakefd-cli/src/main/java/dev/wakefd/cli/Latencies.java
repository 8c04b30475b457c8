package dev.wakefd.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Latency percentiles of one hop or of the whole lap, from an HdrHistogram of nanoseconds. */
record Latencies(String from, String to, long count, long p50, long p90, long p99, long p999, long max) {

    static Latencies of(String from, String to, Histogram h) {
        return new Latencies(
                from,
                to,
                h.getTotalCount(),
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(90),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getMaxValue());
    }

    /** A histogram for nanosecond latencies: 3 significant digits, growing as needed. */
    static Histogram histogram() {
        return new Histogram(3);
    }

    String label() {
        return to == null ? from : from + " -> " + to;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from);
        if (to != null) {
            m.put("to", to);
        }
        m.put("count", count);
        m.put("p50_ns", p50);
        m.put("p90_ns", p90);
        m.put("p99_ns", p99);
        m.put("p99_9_ns", p999);
        m.put("max_ns", max);
        return m;
    }
}
