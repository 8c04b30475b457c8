package dev.wakefd.testing;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

/** The Lincheck set-up the core model checks share: three threads, no actors before or after. */
public final class ModelChecks {
    private ModelChecks() {}

    /**
     * Three threads of {@code actorsPerThread} operations each, every interleaving the model
     * checker picks in {@code iterations} scenarios of 1,000 invocations.
     */
    public static ModelCheckingOptions threeThreads(int iterations, int actorsPerThread) {
        return new ModelCheckingOptions()
                .iterations(iterations)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(actorsPerThread)
                .actorsBefore(0)
                .actorsAfter(0);
    }
}
