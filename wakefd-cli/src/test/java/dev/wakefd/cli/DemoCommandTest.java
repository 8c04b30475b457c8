package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wakefd.cli.testing.Cli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void completesItsLapsAndReportsEveryHop() {
        Cli.Run r = Cli.run("demo", "--laps", "300", "--warmup", "20", "--producers", "4", "--wakes", "5000", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("schema").asText()).isEqualTo("wakefd-demo/1");
        assertThat(j.get("laps").asInt()).isEqualTo(300);
        List<String> ring = texts(j.get("ring"));
        assertThat(ring).startsWith("platform thread", "virtual thread", "Poller handler");
        // POSIX-only mode (the posix-only surefire run) skips the Linux-only hops, naming the mode.
        boolean posixOnly = dev.wakefd.internal.Platform.posixOnly();
        boolean python = !posixOnly && PythonHop.unavailable() == null;
        assertThat(ring.contains("Python asyncio")).isEqualTo(python);
        if (posixOnly) {
            assertThat(j.get("skipped").toString()).contains("POSIX-only mode");
        }
        for (NettyHop.Transport t : NettyHop.Transport.values()) {
            boolean can = !posixOnly && NettyHop.unavailable(t) == null;
            assertThat(ring.contains(t.hopName)).as(t.hopName).isEqualTo(can);
            // a part that cannot run is named with its reason
            assertThat(j.get("skipped").toString().contains(t.hopName))
                    .as(t.hopName)
                    .isEqualTo(!can);
        }
        // one hop per edge of the ring, closing back at the platform thread, each timing every lap
        JsonNode hops = j.get("hops");
        assertThat(hops).hasSize(ring.size());
        for (int i = 0; i < ring.size(); i++) {
            JsonNode h = hops.get(i);
            assertThat(h.get("from").asText()).isEqualTo(ring.get(i));
            assertThat(h.get("to").asText()).isEqualTo(ring.get((i + 1) % ring.size()));
            assertThat(h.get("count").asLong()).isEqualTo(300);
            assertThat(h.get("p50_ns").asLong())
                    .isPositive()
                    .isLessThanOrEqualTo(h.get("p99_ns").asLong());
            assertThat(h.get("p99_ns").asLong())
                    .isLessThanOrEqualTo(h.get("max_ns").asLong());
        }
        assertThat(j.get("lap").get("count").asLong()).isEqualTo(300);
        JsonNode b = j.get("burst");
        assertThat(b.get("wakes_asked").asLong()).isEqualTo(20_000);
        assertThat(b.get("items_seen").asLong()).isEqualTo(20_000);
        assertThat(b.get("writes").asLong()).isBetween(1L, 20_000L);
        assertThat(r.err()).contains("ring: 320 laps in");
    }

    @Test
    void humanOutputHasThePercentileTableAndTheCoalescingScore() {
        Cli.Run r = Cli.run("demo", "--laps", "100", "--no-python", "--producers", "2", "--wakes", "1000");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("Python asyncio   skipped: left out (--no-python)")
                .containsPattern("hop\\s+p50\\s+p90\\s+p99\\s+p99\\.9\\s+max")
                .containsPattern("platform thread -> virtual thread(\\s+[\\d,.]+){5}")
                .containsPattern("virtual thread -> Poller handler(\\s+[\\d,.]+){5}")
                .containsPattern("[A-Za-z_ ]+ -> platform thread(\\s+[\\d,.]+){5}")
                .containsPattern("whole lap(\\s+[\\d,.]+){5}")
                .contains("asked one Waker for 2,000 wakes")
                .contains("saw all 2,000 items");
    }

    @Test
    void leavingPythonOutIsReportedAsSkipped() {
        JsonNode j = Cli.run("demo", "--laps", "50", "--no-python", "--wakes", "0", "--json")
                .json();
        assertThat(texts(j.get("ring"))).doesNotContain("Python asyncio");
        List<String> skipped = new ArrayList<>();
        j.get("skipped").forEach(n -> skipped.add(n.get("part").asText()));
        assertThat(skipped).contains("Python asyncio"); // after the Netty hops in POSIX-only mode
        assertThat(j.get("burst").isNull()).isTrue();
    }

    @Test
    void badNumbersAreUsageErrors() {
        for (String[] args : new String[][] {
            {"--laps", "0"}, {"--producers", "0"}, {"--wakes", "-1"}, {"--laps", "x"}, {"--timeout", "0"}
        }) {
            String[] full = new String[args.length + 1];
            full[0] = "demo";
            System.arraycopy(args, 0, full, 1, args.length);
            Cli.Run r = Cli.run(full);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r).isEqualTo(2);
        }
    }
}
