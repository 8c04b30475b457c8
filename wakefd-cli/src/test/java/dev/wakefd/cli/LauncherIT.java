package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ./wakefd launcher as a user runs it, after the jar is packaged (failsafe): exit codes,
 * help, JSON, the demo with and without python3 on PATH, and no native-access warning.
 */
class LauncherIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    record Run(int code, String out, String err) {}

    static Run launch(String path, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("wakefd").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        if (path != null) {
            pb.environment().put("PATH", path);
        }
        Path out = Files.createTempFile("wakefd-out", ".txt");
        Path err = Files.createTempFile("wakefd-err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("./wakefd " + String.join(" ", args) + " finished").isTrue();
        Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    @Test
    void helpAndUsage() throws Exception {
        Run help = launch(null, "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("demo").contains("bench").contains("inspect");
        assertThat(launch(null, "frobnicate").code()).isEqualTo(2);
        assertThat(launch(null, "inspect", "999999999").code()).isEqualTo(1);
    }

    @Test
    void demoRunsWithPythonAndNeverWarns() throws Exception {
        Run r = launch(null, "demo", "--laps", "300", "--burst", "5000", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"laps\": 300");
        assertThat(r.err()).doesNotContain("WARNING").doesNotContain("restricted");
    }

    @Test
    void demoRunsWithPythonHiddenFromPath() throws Exception {
        // a PATH with the basics (bash, find, mvn if needed) but no python3
        Path bin = Files.createTempDirectory("nopython");
        for (String tool : List.of("bash", "find", "sed", "head", "readlink", "dirname", "mvn", "java")) {
            for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
                Path t = Path.of(dir, tool);
                if (Files.isExecutable(t) && !Files.exists(bin.resolve(tool))) {
                    Files.createSymbolicLink(bin.resolve(tool), t);
                }
            }
        }
        Run r = launch(bin.toString(), "demo", "--laps", "200", "--burst", "2000");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("skipped: Python hop: no python3 on PATH").contains("whole lap");
    }
}
