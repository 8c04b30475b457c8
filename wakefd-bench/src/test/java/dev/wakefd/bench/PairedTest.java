package dev.wakefd.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The paired harness's bookkeeping, with fake sides: turns, warm-up, medians, the printed line. */
class PairedTest {

    @Test
    void roundsAlternateTheOrderSkipWarmUpAndReportMedians() throws Exception {
        List<String> order = new ArrayList<>();
        double[] bridge = {100, 1, 2, 3, 50}; // the first round is warm-up: never counted
        double[] baseline = {1, 2, 2, 2, 2};
        int[] turn = {0, 0};
        Paired.Side b = () -> {
            order.add("b");
            return bridge[turn[0]++];
        };
        Paired.Side q = () -> {
            order.add("q");
            return baseline[turn[1]++];
        };
        String out = captured(() -> Paired.compare("fake", "ns", 1, 4, b, q));
        // warm-up round -1 is odd: baseline first; then 0 (bridge first), 1, 2, 3
        assertThat(order).containsExactly("q", "b", "b", "q", "q", "b", "b", "q", "q", "b");
        // counted rounds: bridge 1, 2, 3, 50 against 2, 2, 2, 2: ratios 0.5, 1, 1.5, 25, median 1.25
        assertThat(out.strip())
                .isEqualTo(
                        "{\"name\":\"fake\",\"ratio\":1.25000,\"bridge\":2.500,\"baseline\":2.000,\"unit\":\"ns\",\"rounds\":4}");
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Paired.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Paired.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }

    @Test
    void medianIntervalIsTheOrderStatisticsAroundTheMiddle() {
        double[] v = new double[100];
        for (int i = 0; i < v.length; i++) {
            v[i] = 100 - i; // unsorted on purpose: 100, 99, ..., 1
        }
        // ranks floor(50 - 9.8) = 40 and ceil(1 + 50 + 9.8) = 61
        assertThat(PairedRivals.medianCi95(v)).containsExactly(40, 61);
        assertThat(v[0]).isEqualTo(100); // the caller's array is left as it was
        assertThat(PairedRivals.medianCi95(new double[] {7})).containsExactly(7, 7);
    }

    interface Action {
        void run() throws Exception;
    }

    private static String captured(Action a) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            a.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
