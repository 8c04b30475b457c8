package dev.wakefd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C floor that the Maven build compiled prints what the report reads. */
class CFloorTest {
    static final Path CFLOOR = Path.of(System.getProperty("user.dir"), "target", "cfloor");

    @Test
    void quickRunOfTheCheapBenchmarksIsReadByTheReport(@TempDir Path dir) throws Exception {
        Run run = run("quick", "write,flag");
        assertThat(run.exit).as(run.err).isZero();
        Files.writeString(dir.resolve("c.jsonl"), run.out);

        Results r = Results.load(dir);
        assertThat(r.all().keySet()).containsExactlyInAnyOrder("c/c.write", "c/c.flag_load");
        for (Measurement m : r.all().values()) {
            assertThat(m.score()).isPositive().isFinite();
            assertThat(m.error()).isNotNegative().isFinite();
            assertThat(m.p50()).isPositive().isLessThanOrEqualTo(m.p99());
            assertThat(m.unit()).isEqualTo("ns/op");
        }
    }

    @Test
    void twoRunsOfOneFloorAreAveraged(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("c.jsonl"), """
                {"name": "c.write", "unit": "ns", "samples": 200, "mean": 200.0, "ci999": 3.0, "median": 198.0, "p90": 0, "p99": 230.0, "sd": 1}
                {"name": "c.read_empty", "unit": "ns", "samples": 200, "mean": 190.0, "ci999": 1.0, "median": 189.0, "p90": 0, "p99": 195.0, "sd": 1}
                {"name": "c.write", "unit": "ns", "samples": 200, "mean": 240.0, "ci999": 4.0, "median": 238.0, "p90": 0, "p99": 250.0, "sd": 1}
                """);
        Results r = Results.load(dir);
        Measurement write = r.get("c/c.write");
        assertThat(write.score()).isEqualTo(220.0);
        // within the runs hypot(3, 4) / 2 = 2.5; between them (240 - 200) / 2 = 20
        assertThat(write.error()).isCloseTo(Math.hypot(2.5, 20), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(write.p50()).isEqualTo(218.0);
        assertThat(write.p99()).isEqualTo(240.0);
        assertThat(r.get("c/c.read_empty").score())
                .as("a floor that ran once is as it ran")
                .isEqualTo(190.0);
    }

    @Test
    void badModeIsRefusedWithUsage() throws Exception {
        Run run = run("fast");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err).contains("usage:").contains("[quick|full]");
        assertThat(run.out).isEmpty();
    }

    record Run(int exit, String out, String err) {}

    static Run run(String... args) throws IOException, InterruptedException {
        assertThat(CFLOOR)
                .as("built by the Maven build (exec-maven-plugin, gcc)")
                .isExecutable();
        String[] cmd = new String[args.length + 1];
        cmd[0] = CFLOOR.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("cfloor did not finish within 60 s");
        }
        return new Run(
                p.exitValue(),
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
