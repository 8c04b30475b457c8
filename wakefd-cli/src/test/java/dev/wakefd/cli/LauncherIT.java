package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wakefd.EventFd;
import dev.wakefd.cli.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real {@code ./wakefd} as a user would, after Maven packaged the jar (failsafe runs in
 * the integration-test phase). WAKEFD_NO_BUILD makes the launcher fail rather than start a Maven
 * build inside this one if it ever found the jar stale.
 */
class LauncherIT {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path LAUNCHER = ROOT.resolve("wakefd");

    record Run(int exit, String out, String err) {
        JsonNode json() {
            return Cli.parse(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    static Run run(Map<String, String> env, List<String> prefix, String... args) throws Exception {
        return run(ROOT, env, prefix, args);
    }

    /** Runs {@code root/wakefd}: the checkout's, or a copy made by {@link #copyForOtherUsers}. */
    static Run run(Path root, Map<String, String> env, List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(root.resolve("wakefd").toString());
        cmd.addAll(List.of(args));
        return exec(root, env, cmd);
    }

    /** Runs {@code cmd} in {@code dir}, stdin closed, with WAKEFD_NO_BUILD and {@code env} set. */
    static Run exec(Path dir, Map<String, String> env, List<String> cmd) throws Exception {
        Path out = Files.createTempFile("wakefd-it", ".out");
        Path err = Files.createTempFile("wakefd-it", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().put("WAKEFD_NO_BUILD", "1");
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " still running after 120 s; stderr:\n" + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Run run(String... args) throws Exception {
        return run(Map.of(), List.of(), args);
    }

    @Test
    void helpOnEveryCommandWithNoWarnings() throws Exception {
        for (String c : new String[] {"", "demo", "bench", "inspect"}) {
            Run r = c.isEmpty() ? run("--help") : run(c, "--help");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("Usage: wakefd");
            assertThat(r.err()).as("stderr of --help").isEmpty(); // no JDK native-access or other warnings
        }
    }

    @Test
    void versionIsTheBuildsFromTheJarManifest() throws Exception {
        String version = System.getProperty("wakefd.version");
        assumeTrue(version != null, "failsafe passes the project version as wakefd.version");
        Run r = run("--version");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("wakefd " + version + ", Java ");
    }

    /**
     * The progress bar follows stderr, where it is drawn: with stdout on a terminal (script(1)
     * gives it a pty) and stderr in a file, the file gets plain lines and no carriage returns; with
     * stderr on the terminal too, the bar is drawn (the control that shows the test can tell).
     */
    @Test
    void progressBarOnlyWhenStderrIsATerminal() throws Exception {
        String script = PythonHop.onPath("script");
        assumeTrue(script != null, "script (util-linux) is needed to give the command a terminal");
        Path log = Files.createTempFile("wakefd-it", ".stderr");
        try {
            String demo = LAUNCHER + " demo --laps 2000 --wakes 0 --no-python";
            Run toFile = exec(ROOT, Map.of(), List.of(script, "-q", "-e", "-c", demo + " 2>" + log, "/dev/null"));
            assertThat(toFile.exit()).as(toFile.toString()).isZero();
            String err = Files.readString(log);
            assertThat(err)
                    .contains("ring: 2,200 laps...")
                    .contains("ring: 2,200 laps in")
                    .doesNotContain("\r");
            assertThat(toFile.out()).as("stdout, the terminal").contains("whole lap");

            Run onTerminal = exec(ROOT, Map.of(), List.of(script, "-q", "-e", "-c", demo, "/dev/null"));
            assertThat(onTerminal.exit()).as(onTerminal.toString()).isZero();
            assertThat(onTerminal.out()).contains("\rring [").contains("2,200/2,200 laps");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The launcher rebuilds when any module the command is built from changed, found from
     * wakefd-cli's pom and theirs (so wakefd-bridge, and any module added later, counts), and not
     * for a module the command does not use. Runs on a copy with the poms, so the checkout's jar
     * is never made stale; WAKEFD_NO_BUILD turns "would rebuild" into exit 1.
     */
    @Test
    void aChangedSourceInAnyModuleTheCommandUsesMakesTheJarStale() throws Exception {
        List<String> poms = new ArrayList<>(List.of("pom.xml"));
        try (var dirs = Files.list(ROOT)) {
            for (Path d :
                    dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).toList()) {
                poms.add(ROOT.relativize(d.resolve("pom.xml")).toString());
            }
        }
        assertThat(poms).contains("wakefd-bridge/pom.xml", "wakefd-bench/pom.xml");
        Path copy = copyForOtherUsers(poms.toArray(String[]::new));
        try {
            Path jar = copy.resolve("wakefd-cli/target/wakefd-cli.jar");
            for (String pom : poms) { // as after a build: the jar is newer than its inputs
                Files.setLastModifiedTime(copy.resolve(pom), java.nio.file.attribute.FileTime.fromMillis(0));
            }
            assertThat(run(copy, Map.of(), List.of(), "--version").exit())
                    .as("fresh jar")
                    .isZero();

            Path benchSource = copy.resolve("wakefd-bench/src/main/java/Changed.java");
            Files.createDirectories(benchSource.getParent());
            Files.writeString(benchSource, "class Changed {}");
            Files.setLastModifiedTime(
                    jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
            Run notUsed = run(copy, Map.of(), List.of(), "--version");
            assertThat(notUsed.exit())
                    .as("wakefd-bench is not part of the command: " + notUsed)
                    .isZero();

            Path bridgeSource = copy.resolve("wakefd-bridge/src/main/java/Changed.java");
            Files.createDirectories(bridgeSource.getParent());
            Files.writeString(bridgeSource, "class Changed {}");
            Run stale = run(copy, Map.of(), List.of(), "--version");
            assertThat(stale.exit()).as(stale.toString()).isEqualTo(1);
            assertThat(stale.err()).contains("older than its sources");
        } finally {
            deleteTree(copy);
        }
    }

    /** find-jdk.sh reads a JDK's release file and starts no JVM to learn its version. */
    @Test
    void theJdkIsFoundFromItsReleaseFileWithoutRunningIt() throws Exception {
        Path fake = Files.createTempDirectory("wakefd-it-jdk");
        try {
            Path marker = fake.resolve("ran");
            for (String[] jdk : new String[][] {{"old", "1.8.0_402"}, {"new", "25.0.3"}}) {
                Path bin = Files.createDirectories(fake.resolve(jdk[0]).resolve("bin"));
                Files.writeString(
                        fake.resolve(jdk[0]).resolve("release"),
                        "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + jdk[1] + "\"\n");
                Path java = bin.resolve("java");
                Files.writeString(java, "#!/bin/sh\ntouch " + marker + "\n");
                Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            String find = "source " + ROOT.resolve("scripts/find-jdk.sh") + "; "
                    + "JAVA_HOME=$1 wakefd_find_jdk && echo \"$WAKEFD_JAVA\" && wakefd_java_feature \"$1/bin/java\"";
            Run newer = exec(
                    ROOT,
                    Map.of(),
                    List.of("bash", "-c", find, "find", fake.resolve("new").toString()));
            assertThat(newer.exit()).as(newer.toString()).isZero();
            assertThat(newer.out().lines().toList())
                    .containsExactly(fake.resolve("new/bin/java").toString(), "25");
            Run older = exec(
                    ROOT,
                    Map.of(),
                    List.of(
                            "bash",
                            "-c",
                            "source " + ROOT.resolve("scripts/find-jdk.sh") + "; wakefd_java_feature \"$1/bin/java\"",
                            "find",
                            fake.resolve("old").toString()));
            assertThat(older.out().strip()).isEqualTo("8");
            assertThat(marker).as("no fake java was run").doesNotExist();
        } finally {
            deleteTree(fake);
        }
    }

    @Test
    void usageErrorsExitWith2() throws Exception {
        assertThat(run("frobnicate").exit()).isEqualTo(2);
        assertThat(run("inspect", "not-a-pid").exit()).isEqualTo(2);
        assertThat(run("demo", "--laps", "0").exit()).isEqualTo(2);
    }

    @Test
    void inspectFindsAnEventFdThisTestMadeWithTheCountItSet() throws Exception {
        try (EventFd e = EventFd.builder().initialValue(1234).open()) {
            Run r = run("inspect", Long.toString(ProcessHandle.current().pid()), "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            JsonNode entry = InspectCommandTest.entry(r.json(), e.fd());
            assertThat(entry.get("count").asLong()).isEqualTo(1234);
            assertThat(entry.get("semaphore").asBoolean()).isFalse();
        }
    }

    @Test
    void inspectFailuresExitWith1AndSayWhy() throws Exception {
        Run missing = run("inspect", "2147483647");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).contains("no process with pid 2147483647");

        // pid 1 belongs to root: as another user, its fds cannot be read.
        boolean root = "0"
                .equals(new String(new ProcessBuilder("id", "-u")
                                .start()
                                .getInputStream()
                                .readAllBytes())
                        .strip());
        List<String> asNobody = List.of();
        if (root) {
            assumeTrue(PythonHop.onPath("setpriv") != null, "setpriv is needed to drop root");
            asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        }
        // uid 65534 may not be able to enter the checkout (a clone in a 0700 directory, as mktemp -d
        // or root's home gives), so it runs a copy of what the launcher needs from a readable place.
        Path copy = root ? copyForOtherUsers() : ROOT;
        try {
            Run denied = run(copy, Map.of("JAVA_TOOL_OPTIONS", "-XX:-UsePerfData"), asNobody, "inspect", "1");
            assertThat(denied.exit()).as(denied.toString()).isEqualTo(1);
            assertThat(denied.err()).contains("permission denied reading /proc/1/fd");
        } finally {
            if (copy != ROOT) {
                deleteTree(copy);
            }
        }
    }

    /**
     * The launcher, its JDK finder and the jar, copied to a new directory that every user may
     * read and enter (mode 0755; files 0644, the launcher 0755). The copy is laid out as the
     * checkout is, so the launcher finds the jar where it looks; it has no sources, so it never
     * finds the jar stale.
     */
    static Path copyForOtherUsers(String... more) throws Exception {
        Set<PosixFilePermission> dir = PosixFilePermissions.fromString("rwxr-xr-x");
        Set<PosixFilePermission> file = PosixFilePermissions.fromString("rw-r--r--");
        Path copy = Files.createTempDirectory(Path.of("/tmp"), "wakefd-it-launcher");
        Files.setPosixFilePermissions(copy, dir);
        List<String> files =
                new ArrayList<>(List.of("wakefd", "scripts/find-jdk.sh", "wakefd-cli/target/wakefd-cli.jar"));
        files.addAll(List.of(more));
        for (String rel : files) {
            Path to = copy.resolve(rel);
            for (Path d = to.getParent(); !d.equals(copy); d = d.getParent()) {
                Files.createDirectories(d);
                Files.setPosixFilePermissions(d, dir);
            }
            Files.copy(ROOT.resolve(rel), to);
            Files.setPosixFilePermissions(to, rel.equals("wakefd") ? dir : file);
        }
        return copy;
    }

    static void deleteTree(Path root) throws Exception {
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void demoCompletesWithPython() throws Exception {
        assumeTrue(PythonHop.unavailable() == null, "python3 3.9+ is not on PATH");
        Run r = run("demo", "--laps", "200", "--wakes", "2000", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("ring").toString()).contains("Python asyncio");
        if (NettyHop.unavailable(NettyHop.Transport.EPOLL) == null) {
            assertThat(j.get("ring").toString()).contains("Netty epoll");
        }
        assertThat(j.get("lap").get("count").asInt()).isEqualTo(200);
        assertThat(j.get("burst").get("items_seen").asLong()).isEqualTo(2 * 8 * 1000);
        assertThat(r.err()).doesNotContain("WARNING").doesNotContain("Exception");
    }

    @Test
    void demoCompletesWithPythonHiddenFromPath() throws Exception {
        // A PATH holding only what the launcher itself runs: no python3.
        Path bin = Files.createTempDirectory("wakefd-it-bin");
        try {
            for (String tool : new String[] {"bash", "env", "dirname", "readlink", "sed", "head", "find"}) {
                String exe = PythonHop.onPath(tool);
                assumeTrue(exe != null, tool + " is not on PATH");
                Files.createSymbolicLink(bin.resolve(tool), Path.of(exe));
            }
            Run r = run(Map.of("PATH", bin.toString()), List.of(), "demo", "--laps", "200", "--wakes", "2000");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out())
                    .contains("Python asyncio   skipped: python3 is not on PATH")
                    .containsPattern("[A-Za-z_ ]+ -> platform thread(\\s+[\\d,.]+){5}")
                    .contains("saw all 16,000 items");
        } finally {
            try (var links = Files.list(bin)) {
                for (Path l : links.toList()) {
                    Files.delete(l); // the link, not what it points to
                }
            }
            Files.delete(bin);
        }
    }
}
