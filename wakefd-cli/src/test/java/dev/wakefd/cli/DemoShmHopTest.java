package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wakefd.cli.testing.Cli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's hop through wakefd-shm to the Python peer and back, or its reason to be skipped. */
class DemoShmHopTest {
    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String skipReason(JsonNode j, String part) {
        for (JsonNode n : j.get("skipped")) {
            if (n.get("part").asText().equals(part)) {
                return n.get("reason").asText();
            }
        }
        return null;
    }

    @Test
    void theShmHopRunsWherePython310RunsElseSaysWhy() {
        Cli.Run r = Cli.run("demo", "--laps", "200", "--warmup", "10", "--wakes", "0", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = r.json();
        // POSIX-only mode (the posix-only surefire run) and a missing python3 3.10 skip the hop, naming why
        boolean posixOnly = dev.wakefd.internal.Platform.posixOnly();
        String unavailable = posixOnly ? null : ShmPythonHop.unavailable();
        boolean runs = !posixOnly && unavailable == null;
        assertThat(texts(j.get("ring")).contains(ShmPythonHop.NAME)).isEqualTo(runs);
        if (runs) {
            for (JsonNode h : j.get("hops")) {
                if (h.get("to").asText().equals(ShmPythonHop.NAME)) {
                    assertThat(h.get("count").asLong()).isEqualTo(200);
                }
            }
        } else {
            String reason = skipReason(j, ShmPythonHop.NAME);
            assertThat(reason).isEqualTo(posixOnly ? reason : unavailable).isNotBlank();
            if (posixOnly) {
                assertThat(reason).contains("POSIX-only mode");
            }
        }
    }

    @Test
    void noPythonLeavesTheShmHopOutWithItsReason() {
        Cli.Run r = Cli.run("demo", "--laps", "50", "--no-python", "--wakes", "0");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("shm + Python     skipped: left out (--no-python)");
    }
}
