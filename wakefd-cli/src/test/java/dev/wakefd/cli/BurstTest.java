package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;

class BurstTest {
    /** Every item is seen (no wake lost), and no more writes are made than wakes asked for. */
    @RepeatedTest(5)
    void theConsumerSeesEveryItemAndWritesNeverExceedWakes() throws Exception {
        Burst.Result r = Burst.run(6, 20_000, Duration.ofSeconds(10));
        assertThat(r.asked()).isEqualTo(120_000);
        assertThat(r.itemsSeen()).isEqualTo(120_000);
        assertThat(r.writes()).isBetween(1L, r.asked());
        // A wake-up is a drain that read a count (each read takes at least one write) or cleared a
        // PENDING flag (each set by the CAS that precedes one write): at most two per write.
        assertThat(r.consumerWakeups()).isBetween(1L, 2 * r.writes());
    }
}
