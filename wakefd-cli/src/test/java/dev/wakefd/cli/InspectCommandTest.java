package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wakefd.EventFd;
import dev.wakefd.cli.testing.Cli;
import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    static JsonNode entry(JsonNode report, int fd) {
        for (JsonNode e : report.get("eventfds")) {
            if (e.get("fd").asInt() == fd) {
                return e;
            }
        }
        throw new AssertionError("fd " + fd + " is not among the listed eventfds: " + report);
    }

    @Test
    void selfListsAnEventFdWithTheCountAndModeItWasMadeWith() throws Exception {
        try (EventFd sem = EventFd.builder().semaphore(true).initialValue(42).open();
                EventFd counter = EventFd.open()) {
            counter.signal(7);
            Cli.Run r = Cli.run("inspect", "self", "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            JsonNode report = r.json();
            assertThat(report.get("schema").asText()).isEqualTo("wakefd-inspect/1");
            assertThat(report.get("pid").asLong())
                    .isEqualTo(ProcessHandle.current().pid());
            JsonNode s = entry(report, sem.fd());
            assertThat(s.get("count").asLong()).isEqualTo(42);
            assertThat(s.get("semaphore").asBoolean()).isTrue(); // kernel 6.5+, as the build machines run
            assertThat(s.get("eventfd_id").isIntegralNumber()).isTrue();
            JsonNode c = entry(report, counter.fd());
            assertThat(c.get("count").asLong()).isEqualTo(7);
            assertThat(c.get("semaphore").asBoolean()).isFalse();
            assertThat(c.get("eventfd_id").asLong())
                    .isNotEqualTo(s.get("eventfd_id").asLong());
        }
    }

    @Test
    void humanOutputShowsTheSameTable() throws Exception {
        try (EventFd e = EventFd.builder().initialValue(31337).open()) {
            Cli.Run r = Cli.run("inspect", "self");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).containsPattern("(?m)^\\s+" + e.fd() + "\\s+31337\\s+counter\\s+\\d+\\s+-$");
        }
    }

    @Test
    void aDuplicateInTheSameProcessIsReportedAsShared() throws Exception {
        try (EventFd e = EventFd.open();
                EventFd dup = e.duplicate()) {
            JsonNode report = Cli.run("inspect", "self", "--json").json();
            JsonNode also = entry(report, e.fd()).get("also_held_by");
            assertThat(also).hasSize(1);
            assertThat(also.get(0).get("pid").asLong())
                    .isEqualTo(ProcessHandle.current().pid());
            assertThat(also.get(0).get("fd").asInt()).isEqualTo(dup.fd());
        }
    }

    @Test
    void anEventFdPassedToAnotherProcessIsReportedAsSharedWithIt(@TempDir Path dir) throws Exception {
        assumeTrue(PythonHop.onPath("python3") != null, "python3 is not on PATH");
        Path sock = dir.resolve("s");
        try (EventFd e = EventFd.open();
                FdListener l = FdListener.bind(sock)) {
            Process py = new ProcessBuilder(
                            "python3",
                            "-c",
                            String.join(
                                    "\n",
                                    "import socket, sys",
                                    "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])",
                                    "msg, fds, flags, addr = socket.recv_fds(s, 1, 1)",
                                    "print('holding', fds[0], flush=True)",
                                    "sys.stdin.read()"),
                            sock.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                CompletableFuture<FdSocket> accepted = CompletableFuture.supplyAsync(() -> {
                    try {
                        return l.accept();
                    } catch (Exception ex) {
                        throw new RuntimeException(ex);
                    }
                });
                try (FdSocket s = accepted.get(20, TimeUnit.SECONDS)) {
                    s.send(e);
                    BufferedReader out = new BufferedReader(new InputStreamReader(py.getInputStream()));
                    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                        try {
                            return out.readLine();
                        } catch (Exception ex) {
                            throw new RuntimeException(ex);
                        }
                    });
                    String holding = line.get(20, TimeUnit.SECONDS);
                    assertThat(holding).startsWith("holding ");
                    int pyFd = Integer.parseInt(
                            holding.substring("holding ".length()).strip());

                    JsonNode also = entry(Cli.run("inspect", "self", "--json").json(), e.fd())
                            .get("also_held_by");
                    assertThat(also).anySatisfy(h -> {
                        assertThat(h.get("pid").asLong()).isEqualTo(py.pid());
                        assertThat(h.get("fd").asInt()).isEqualTo(pyFd);
                    });
                    // And from the other side: the child's fd is shared with this process.
                    JsonNode theirs = entry(
                            Cli.run("inspect", Long.toString(py.pid()), "--json")
                                    .json(),
                            pyFd);
                    assertThat(theirs.get("also_held_by"))
                            .anySatisfy(h -> assertThat(h.get("pid").asLong())
                                    .isEqualTo(ProcessHandle.current().pid()));
                }
            } finally {
                py.destroyForcibly();
                py.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aMissingProcessIsAFailureThatSaysSo() {
        Cli.Run r = Cli.run("inspect", "2147483647");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("no process with pid 2147483647");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void somethingThatIsNotAPidIsAUsageError() {
        for (String bad : new String[] {"abc", "0", "-5", "12x"}) {
            Cli.Run r = Cli.run("inspect", bad);
            assertThat(r.exit()).as(bad + ": " + r).isEqualTo(2);
            assertThat(r.err()).contains("'" + bad + "' is not a process");
        }
        assertThat(Cli.run("inspect").exit()).isEqualTo(2);
        assertThat(Cli.run("inspect", "self", "--watch", "--interval", "0").exit())
                .isEqualTo(2);
    }

    @Test
    void watchRefreshesUntilStopped() throws Exception {
        try (EventFd e = EventFd.builder().initialValue(5).open()) {
            Cli.Run r = Cli.run("inspect", "self", "--watch", "--interval", "0.05", "--frames", "3", "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            // JSON Lines: three compact documents, one per line, one per refresh
            java.util.List<String> docs = r.out().lines().toList();
            assertThat(docs).hasSize(3);
            for (String d : docs) {
                JsonNode doc = Cli.parse(d);
                assertThat(doc.get("schema").asText()).isEqualTo("wakefd-inspect/1");
                assertThat(entry(doc, e.fd()).get("count").asLong()).isEqualTo(5);
            }
        }
    }

    /** A fake /proc: an old kernel without eventfd-id or eventfd-semaphore, and a count above 2^63. */
    @Test
    void readsUnsignedCountsAndOldKernelsFromFdinfo(@TempDir Path proc) throws Exception {
        Path p = proc.resolve("4242");
        Files.createDirectories(p.resolve("fd"));
        Files.createDirectories(p.resolve("fdinfo"));
        Files.writeString(p.resolve("comm"), "legacy\n");
        Files.createSymbolicLink(p.resolve("fd/3"), Path.of("anon_inode:[eventfd]"));
        Files.writeString(
                p.resolve("fdinfo/3"),
                "pos:\t0\nflags:\t02004002\nmnt_id:\t15\nino:\t1057\neventfd-count: fffffffffffffffe\n");
        Files.createSymbolicLink(p.resolve("fd/4"), Path.of("pipe:[1234]"));
        Files.writeString(p.resolve("fdinfo/4"), "pos:\t0\n");

        Cli.Run human = Cli.run("inspect", "4242", "--proc", proc.toString());
        assertThat(human.exit()).as(human.toString()).isZero();
        assertThat(human.out())
                .contains("pid 4242 (legacy): 1 eventfd")
                .containsPattern("(?m)^\\s+3\\s+18446744073709551614\\s+\\?\\s+\\?\\s+-$")
                .contains("does not report eventfd-id");

        JsonNode e = entry(
                Cli.run("inspect", "4242", "--proc", proc.toString(), "--json").json(), 3);
        assertThat(e.get("count").bigIntegerValue()).isEqualTo(new java.math.BigInteger("18446744073709551614"));
        assertThat(e.get("semaphore").isNull()).isTrue();
        assertThat(e.get("eventfd_id").isNull()).isTrue();
    }
}
