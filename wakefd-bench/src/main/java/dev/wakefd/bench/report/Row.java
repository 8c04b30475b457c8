package dev.wakefd.bench.report;

/**
 * One line of a report table: where its result lives ({@code run/Benchmark.method}, with
 * {@code {cpus}} standing for the CPU set of round-trip tables), what to call it, and whose it is.
 */
record Row(String key, String label, Who who) {

    /** Whose number a row is: it decides the ratio columns and the bar colour. */
    enum Who {
        /** The C program: the floor every ratio is taken against. */
        FLOOR,
        /** wakefd itself. */
        WAKEFD,
        /** Another library or the JDK: the best of them is the "best peer". */
        PEER,
        /** A diagnostic split of a wakefd number (where its time goes). */
        DETAIL
    }

    Row forCpus(String cpus) {
        return new Row(key.replace("{cpus}", cpus), label, who);
    }
}
