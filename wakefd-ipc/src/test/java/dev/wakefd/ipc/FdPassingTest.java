package dev.wakefd.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passing eventfds to and from a Python peer over a Unix socket, and every way it can go wrong. */
class FdPassingTest {
    static Path script;

    @BeforeAll
    static void python(@TempDir Path dir) throws Exception {
        boolean ok;
        try {
            ok = new ProcessBuilder("python3", "-c", "import socket, os; socket.send_fds; os.eventfd")
                    .start().waitFor() == 0;
        } catch (IOException e) {
            ok = false;
        }
        assumeTrue(ok, "python3 (3.10+, with socket.send_fds and os.eventfd) is not available");
        script = dir.resolve("peer.py");
        try (var in = FdPassingTest.class.getResourceAsStream("/peer.py")) {
            Files.copy(in, script);
        }
    }

    static Process peer(String mode, Path sock, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", script.toString(), mode, sock.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    static String line(BufferedReader r) throws IOException {
        String l = r.readLine();
        assertThat(l).as("the python peer ended early").isNotNull();
        return l;
    }

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void javaSignalsAndAPythonAsyncioLoopWakes(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("w.sock");
        try (FdListener l = FdListener.bind(sock); EventFd e = EventFd.open()) {
            assertThat(Files.getPosixFilePermissions(sock)).extracting(Object::toString)
                    .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
            Process p = peer("wait-asyncio", sock, "5");
            try (FdSocket s = l.accept()) {
                assertThat(s.peer().pid()).isEqualTo(p.pid());
                s.send(e);
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertThat(line(out)).isEqualTo("connected");
                assertThat(line(out)).isEqualTo("waiting");
                e.signal(2);
                e.signal(3);
                assertThat(line(out)).isEqualTo("woke 5");
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
    }

    @Test
    void aWakerCanBeSentToo(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("k.sock");
        try (FdListener l = FdListener.bind(sock); Waker w = Waker.open()) {
            Process p = peer("wait-asyncio", sock, "1");
            try (FdSocket s = l.accept()) {
                s.send(w);
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                line(out);
                line(out);
                w.wake();
                assertThat(line(out)).isEqualTo("woke 1");
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void pythonSendsAnEventFdAndItsCountReachesJavaAwait(@TempDir Path dir) throws Throwable {
        Path sock = dir.resolve("p.sock");
        try (FdListener l = FdListener.bind(sock)) {
            Process p = peer("send-eventfd", sock, "7");
            try (FdSocket s = l.accept(); EventFd e = s.receive()) {
                assertThat(e.isSemaphore()).isFalse();
                org.assertj.core.api.Assertions.assertThat(dev.wakefd.ipc.internal.UnixSocketsTestAccess.send(s.fd())).isTrue();
                assertThat(e.await(Duration.ofSeconds(60))).isEqualTo(7);
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
    }

    @Test
    void severalFdsInOneMessageAreRefusedAndClosed(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("t.sock");
        try (FdListener l = FdListener.bind(sock)) {
            Process p = peer("send-two", sock);
            try (FdSocket s = l.accept()) {
                long before = openFds();
                assertThatThrownBy(s::receive).isInstanceOf(IOException.class).hasMessageContaining("exactly 1 fd");
                assertThat(openFds()).isEqualTo(before);
            }
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPipeIsRefusedAndClosed(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("q.sock");
        try (FdListener l = FdListener.bind(sock)) {
            Process p = peer("send-pipe", sock);
            try (FdSocket s = l.accept()) {
                long before = openFds();
                assertThatThrownBy(s::receive).isInstanceOf(IOException.class).hasMessageContaining("not an eventfd");
                assertThat(openFds()).isEqualTo(before);
            }
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPeerThatHangsUpGivesEof(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("h.sock");
        try (FdListener l = FdListener.bind(sock)) {
            Process p = peer("hang-up", sock);
            try (FdSocket s = l.accept()) {
                assertThatThrownBy(s::receive).isInstanceOf(EOFException.class).hasMessageContaining("closed the connection");
            }
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRefusedPeerGetsNothingAndAcceptGoesOn(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("r.sock");
        try (FdListener l = FdListener.bind(sock, peer -> false)) {
            Process p = peer("wait-asyncio", sock, "1");
            Thread closer = Thread.ofPlatform().start(() -> {
                try {
                    p.waitFor(60, TimeUnit.SECONDS); // the refused peer sees EOF and exits
                } catch (InterruptedException ignored) {
                    // test ends
                }
                l.close();
            });
            assertThatThrownBy(l::accept).isInstanceOf(java.nio.channels.AsynchronousCloseException.class);
            closer.join();
            assertThat(p.exitValue()).as("the refused peer received no fd").isNotZero();
        }
        assertThat(Files.exists(sock)).as("close removes the socket file").isFalse();
    }

    @Test
    void abstractNamespace() throws Exception {
        String name = "wakefd-test-" + ProcessHandle.current().pid();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser());
             FdSocket c = FdSocket.connectAbstract(name);
             FdSocket s = l.accept();
             EventFd e = EventFd.open()) {
            c.send(e);
            try (EventFd got = s.receive()) {
                got.signal(4);
                assertThat(e.tryRead()).isEqualTo(4); // one counter, two fds
            }
        }
    }

    @Test
    void badNamesAreRefused() {
        assertThatThrownBy(() -> FdListener.bindAbstract("", PeerPolicy.sameUser()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 1..107 bytes");
        assertThatThrownBy(() -> FdSocket.connect(Path.of("/nonexistent/dir/x.sock")))
                .isInstanceOf(IOException.class).hasMessageContaining("connect(").hasMessageContaining("ENOENT");
    }

    @Test
    void aChildProcessNeverInheritsAnEventFd() throws Exception {
        try (EventFd inheritable = EventFd.builder().closeOnExec(false).open(); EventFd normal = EventFd.open()) {
            Process p = new ProcessBuilder("sleep", "30").start();
            try {
                long eventfds;
                try (Stream<Path> s = Files.list(Path.of("/proc/" + p.pid() + "/fd"))) {
                    eventfds = s.filter(f -> {
                        try {
                            return Files.readSymbolicLink(f).toString().equals("anon_inode:[eventfd]");
                        } catch (IOException ex) {
                            return false;
                        }
                    }).count();
                }
                assertThat(eventfds).isZero();
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
