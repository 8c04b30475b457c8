package dev.wakefd.bench.report;

import java.util.Locale;

/** Hand-made run results for the report's tests: JMH JSON and C floor lines, a machine, options. */
final class ReportFixtures {
    private ReportFixtures() {}

    static final Machine MACHINE = new Machine("Test CPU", 2, true, "Linux 6.1-test");
    static final Report.Options FULL =
            new Report.Options("wakefd-bench/run-benchmarks.sh", false, true, "benchmarks.svg");

    /** One JMH result as -rf json writes it (trimmed to the fields the report reads). */
    static String jmh(
            String benchmark, String mode, String params, double score, String error, double p50, double p99) {
        String pct = mode.equals("sample")
                ? String.format(
                        Locale.ROOT,
                        ", \"scorePercentiles\" : { \"0.0\" : 1.0, \"50.0\" : %s, \"99.0\" : %s }",
                        p50,
                        p99)
                : "";
        return String.format(Locale.ROOT, """
                { "jmhVersion" : "1.37", "benchmark" : "dev.wakefd.bench.%s", "mode" : "%s", "threads" : 1,
                  "forks" : 2, "jvm" : "/jdk/bin/java", "jdkVersion" : "25.0.3", "vmName" : "OpenJDK 64-Bit Server VM",
                  "vmVersion" : "25.0.3+9-LTS", "warmupIterations" : 3, "warmupTime" : "1 s",
                  "measurementIterations" : 5, "measurementTime" : "1 s", "params" : { %s },
                  "primaryMetric" : { "score" : %s, "scoreError" : %s%s, "scoreUnit" : "ns/op" } }""", benchmark, mode, params, score, error, pct);
    }

    static String c(String name, double mean, double ci, double median, double p99) {
        return String.format(
                Locale.ROOT,
                "{\"name\": \"%s\", \"unit\": \"ns\", \"samples\": 200, \"mean\": %s, \"ci999\": %s, \"median\": %s, \"p90\": 0, \"p99\": %s, \"sd\": 1}%n",
                name,
                mean,
                ci,
                median,
                p99);
    }
}
