package dev.wakefd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PairedResultTest {
    @Test
    void t95MatchesTheTabulatedStudentQuantiles() {
        assertThat(PairedResult.t95(1)).isCloseTo(12.706, within(0.001));
        assertThat(PairedResult.t95(4)).isCloseTo(2.776, within(0.001));
        assertThat(PairedResult.t95(30)).isCloseTo(2.042, within(0.001));
    }

    @Test
    void fiveJvmsGiveTheIntervalOfTheirRatios() {
        PairedResult r = new PairedResult("us");
        for (double ratio : new double[] {0.9, 1.0, 1.1, 1.0, 1.0}) {
            r.add(ratio, ratio, 1.0);
        }
        // mean 1.0, sample sd sqrt(0.02/4), half-width t(4) * sd / sqrt(5)
        assertThat(r.ratio()).isCloseTo(1.0, within(1e-12));
        assertThat(r.ratioError()).isCloseTo(2.776 * Math.sqrt(0.005) / Math.sqrt(5), within(1e-3));
    }
}
