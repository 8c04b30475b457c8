package dev.wakefd.shm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts peer processes (Java, Python, C) and reads their one-line answers. */
final class Children {
    private Children() {}

    static Process java(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                JavaPeer.class.getName()));
        cmd.addAll(List.of(args));
        return start(cmd);
    }

    static Process python(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of("python3", Channels.testPython().resolve("shm_peer.py").toString()));
        cmd.addAll(List.of(args));
        return start(cmd);
    }

    /** Compiles src/test/c/shm_peer.c against the shipped header once per JVM. */
    static synchronized Path cPeer() throws IOException, InterruptedException {
        Path out = Path.of("target", "shm_peer_c");
        if (!out.toFile().exists()) {
            Path src = Channels.testPython().resolveSibling("c").resolve("shm_peer.c");
            Process gcc = new ProcessBuilder(
                            "gcc",
                            "-O2",
                            "-Wall",
                            "-Wextra",
                            "-Werror",
                            "-std=c11",
                            "-I",
                            System.getProperty("wakefd.shm.cheader", "src/main/c"),
                            "-o",
                            out.toString(),
                            src.toString())
                    .redirectErrorStream(true)
                    .start();
            String log = new String(gcc.getInputStream().readAllBytes());
            if (gcc.waitFor() != 0) {
                throw new IOException("gcc failed:\n" + log);
            }
        }
        return out;
    }

    static Process c(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cPeer().toString()));
        cmd.addAll(List.of(args));
        return start(cmd);
    }

    private static Process start(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment()
                .put(
                        "WAKEFD_SHM_PYTHON",
                        Path.of(Channels.python()).toAbsolutePath().toString());
        return pb.start();
    }

    /** The child's first output line. */
    static String line(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
    }

    /** Tells a child that waits on its stdin to go on. */
    static void go(Process p) throws IOException {
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
    }

    /** Waits for the child and returns its output; fails if it did not exit 0. */
    static String finish(Process p, long seconds) throws Exception {
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.getOutputStream().close();
        p.getInputStream().close();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child " + p.pid() + " did not finish within " + seconds + " s; output: " + out);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("child " + p.pid() + " exited with " + p.exitValue() + "; output: " + out);
        }
        return out;
    }
}
