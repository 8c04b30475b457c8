package dev.wakefd.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import dev.wakefd.internal.Internals;
import dev.wakefd.ipc.internal.UnixSocketsTestAccess;
import dev.wakefd.ipc.testing.Peer;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passing eventfds to and from a Python peer (stdlib only) over a Unix socket, and every way a
 * message can be wrong. Every wait is bounded: accept and receive take timeouts, the peer's
 * output is read with one (see {@link Peer}), and the class timeout backs them up.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FdPassingTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static Path script;

    @BeforeAll
    static void python(@TempDir Path dir) throws Exception {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import socket, os; socket.send_fds; os.eventfd").start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            ok = false;
        }
        assumeTrue(ok, "python3 (3.10+, with socket.send_fds and os.eventfd) is not available");
        script = dir.resolve("peer.py");
        try (var in = FdPassingTest.class.getResourceAsStream("/peer.py")) {
            Files.copy(in, script);
        }
    }

    static Peer peer(String mode, Path sock, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), mode, sock.toString()));
        cmd.addAll(List.of(args));
        return new Peer(cmd);
    }

    /**
     * This process's fds as "number -> target" (e.g. "41 -> pipe:[1234]"). A leak shows up as an
     * entry that was not there before; fds that the JDK closes in the background (a finished
     * child's pipes) may disappear meanwhile, which is why this is compared as a subset.
     */
    static java.util.Set<String> fdTable() throws IOException {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.startsWith("/proc/")) { // not the listing's own directory fd
                        out.add(p.getFileName() + " -> " + target);
                    }
                } catch (IOException gone) {
                    // closed while we listed (the listing's own fd, or a background close)
                }
            }
        }
        return out;
    }

    @Test
    void javaSignalsAndAPythonAsyncioLoopWakes(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("w.sock");
        try (FdListener l = FdListener.bind(sock);
                EventFd e = EventFd.open();
                Peer p = peer("wait-asyncio", sock, "5")) {
            assertThat(Files.getPosixFilePermissions(sock))
                    .extracting(Object::toString)
                    .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
            try (FdSocket s = l.accept(WAIT)) {
                assertThat(s.peer().pid()).isEqualTo(p.pid());
                assertThat(s.peer().uid()).isEqualTo(Ids.uid());
                s.send(e);
                assertThat(p.line()).isEqualTo("connected");
                assertThat(p.line()).isEqualTo("waiting");
                e.signal(2);
                e.signal(3);
                assertThat(p.line()).isEqualTo("woke 5");
            }
            assertThat(p.exit()).isZero();
        }
    }

    @Test
    void aWakerCanBeSentToo(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("k.sock");
        try (FdListener l = FdListener.bind(sock);
                Waker w = Waker.open();
                Peer p = peer("wait-asyncio", sock, "1")) {
            try (FdSocket s = l.accept(WAIT)) {
                s.send(w);
                p.line();
                assertThat(p.line()).isEqualTo("waiting");
                w.wake();
                assertThat(p.line()).isEqualTo("woke 1");
            }
            assertThat(p.exit()).isZero();
        }
    }

    @Test
    void pythonWritesNAndJavaAwaitReturnsN(@TempDir Path dir) throws Throwable {
        Path sock = dir.resolve("p.sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = peer("send-eventfd", sock, "7")) {
            try (FdSocket s = l.accept(WAIT);
                    EventFd e = s.receive(WAIT)) {
                assertThat(e.isSemaphore()).isFalse();
                assertThat(UnixSocketsTestAccess.send(s.fd()))
                        .as("go-ahead to the peer")
                        .isTrue();
                assertThat(e.await(WAIT)).isEqualTo(7);
            }
            assertThat(p.exit()).isZero();
        }
    }

    @Test
    void aSemaphoreEventFdArrivesInSemaphoreMode(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("m.sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = peer("send-semaphore", sock, "2")) {
            try (FdSocket s = l.accept(WAIT);
                    EventFd e = s.receive(WAIT)) {
                // kernels before 6.5 do not report the mode; adopt then assumes counter mode
                if (dev.wakefd.internal.ProcFs.fdInfo("self", e.fd()).containsKey("eventfd-semaphore")) {
                    assertThat(e.isSemaphore()).isTrue();
                    assertThat(e.tryRead()).isEqualTo(1);
                    assertThat(e.tryRead()).isEqualTo(1);
                    assertThat(e.tryRead()).isZero();
                }
            }
            p.exit();
        }
    }

    @Test
    void anFdInFlightOutlivesItsSender(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("f.sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = peer("send-then-exit", sock, "11")) {
            try (FdSocket s = l.accept(WAIT)) {
                assertThat(p.exit()).isZero(); // the sender is gone before we read
                try (EventFd e = s.receive(WAIT)) {
                    assertThat(e.tryRead()).isEqualTo(11);
                }
                assertThatThrownBy(() -> s.receive(WAIT)).isInstanceOf(EOFException.class);
            }
        }
    }

    /** A refusal that must close every fd the message carried: fd count back where it was. */
    void refused(Path dir, String mode, String expectedMessage, String... args) throws Exception {
        Path sock = dir.resolve(mode + ".sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = peer(mode, sock, args);
                FdSocket s = l.accept(WAIT)) {
            assertThat(p.finish()).as("the peer sent and left").isZero();
            java.util.Set<String> before = fdTable();
            assertThatThrownBy(() -> s.receive(WAIT))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(expectedMessage);
            assertThat(fdTable()).as("every fd received was closed").isSubsetOf(before);
            assertThat(s.isOpen()).as("the socket itself stays usable").isTrue();
        }
    }

    @Test
    void severalFdsInOneMessageAreRefusedAndClosed(@TempDir Path dir) throws Exception {
        refused(dir, "send-two", "expected exactly 1 fd in a message, got 2");
    }

    @Test
    void aTruncatedControlMessageIsRefusedAndWhatArrivedIsClosed(@TempDir Path dir) throws Exception {
        refused(dir, "send-many", "truncated (MSG_CTRUNC)", "6");
    }

    @Test
    void aPipeIsRefusedAndClosed(@TempDir Path dir) throws Exception {
        refused(dir, "send-pipe", "not an eventfd");
    }

    @Test
    void bytesWithoutAnFdAreRefused(@TempDir Path dir) throws Exception {
        refused(dir, "send-data-only", "got 0");
    }

    @Test
    void aPeerThatHangsUpGivesEof(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("h.sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = peer("hang-up", sock);
                FdSocket s = l.accept(WAIT)) {
            assertThatThrownBy(() -> s.receive(WAIT))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("pid " + p.pid())
                    .hasMessageContaining("closed the connection");
        }
    }

    @Test
    void aPeerKilledWhileWeWaitGivesEof(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("k.sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = peer("linger", sock);
                FdSocket s = l.accept(WAIT)) {
            assertThat(p.line()).isEqualTo("connected");
            CompletableFuture<EventFd> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.receive(WAIT);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            p.kill();
            assertThatThrownBy(() -> got.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(java.io.UncheckedIOException.class)
                    .hasRootCauseInstanceOf(EOFException.class);
        }
    }

    @Test
    void aPeerThatResetsTheConnectionIsAClearError(@TempDir Path dir) throws Throwable {
        Path sock = dir.resolve("u.sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = peer("unread-close", sock);
                FdSocket s = l.accept(WAIT)) {
            assertThat(UnixSocketsTestAccess.send(s.fd())).isTrue(); // a byte the peer will never read
            p.tell("close");
            assertThat(p.exit()).isZero();
            assertThatThrownBy(() -> s.receive(WAIT))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("reset the connection")
                    .hasMessageContaining("ECONNRESET");
        }
    }

    @Test
    void receiveAndAcceptAreBounded(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("b.sock");
        try (FdListener l = FdListener.bind(sock)) {
            assertThatThrownBy(() -> l.accept(Duration.ofMillis(50)))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("accept: no admitted peer");
            try (FdSocket c = FdSocket.connect(sock);
                    FdSocket s = l.accept(WAIT)) {
                assertThatThrownBy(() -> s.receive(Duration.ofMillis(50)))
                        .isInstanceOf(SocketTimeoutException.class)
                        .hasMessageContaining("no message from the peer");
                assertThatThrownBy(() -> s.receive(Duration.ofSeconds(-1)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("must not be negative");
            }
        }
    }

    @Test
    void closeWakesABlockedReceiveAndABlockedAccept(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("c.sock");
        FdListener l = FdListener.bind(sock);
        try (FdSocket c = FdSocket.connect(sock)) {
            FdSocket s = l.accept(WAIT);
            CompletableFuture<Throwable> receiving = failureOf(() -> s.receive());
            CompletableFuture<Throwable> accepting = failureOf(() -> l.accept());
            s.close();
            l.close();
            assertThat(receiving.get(60, TimeUnit.SECONDS))
                    .isInstanceOfAny(AsynchronousCloseException.class, java.nio.channels.ClosedChannelException.class);
            assertThat(accepting.get(60, TimeUnit.SECONDS))
                    .isInstanceOfAny(AsynchronousCloseException.class, java.nio.channels.ClosedChannelException.class);
            assertThat(Files.exists(sock)).as("close removes the socket file").isFalse();
        }
    }

    interface Call {
        Object run() throws Exception;
    }

    static CompletableFuture<Throwable> failureOf(Call call) {
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                call.run();
                f.complete(null);
            } catch (Throwable t) {
                f.complete(t);
            }
        });
        return f;
    }

    @Test
    void aRefusedPeerGetsNothingIsLoggedAndAcceptGoesOn(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("r.sock");
        AtomicLong refusedPid = new AtomicLong(-1);
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger jul = Logger.getLogger(FdListener.class.getName());
        jul.addHandler(h);
        try (FdListener l = FdListener.bind(sock, peer -> peer.pid() != refusedPid.get());
                Peer p = peer("expect-nothing", sock)) {
            refusedPid.set(p.pid());
            CompletableFuture<FdSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return l.accept(WAIT);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(p.line()).isEqualTo("connected");
            assertThat(p.line()).as("the refused peer received nothing").isEqualTo("got 0 fds, 0 bytes");
            try (FdSocket me = FdSocket.connect(sock);
                    FdSocket admitted = accepted.get(60, TimeUnit.SECONDS)) {
                assertThat(admitted.peer().pid())
                        .isEqualTo(ProcessHandle.current().pid());
            }
            assertThat(logged).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
                assertThat(r.getMessage()).contains("refused a peer").contains("pid " + p.pid());
            });
        } finally {
            jul.removeHandler(h);
        }
    }

    @Test
    void abstractNamespaceAndSharingOneCounter() throws Exception {
        String name = "wakefd-test-" + ProcessHandle.current().pid();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser());
                FdSocket c = FdSocket.connectAbstract(name);
                FdSocket s = l.accept(WAIT);
                EventFd e = EventFd.open()) {
            assertThat(Internals.access().criticalCalls(e))
                    .as("a new eventfd is ours alone")
                    .isTrue();
            c.send(e);
            assertThat(Internals.access().criticalCalls(e))
                    .as("after send the peer may clear O_NONBLOCK, so no more critical calls")
                    .isFalse();
            try (EventFd got = s.receive(WAIT)) {
                assertThat(Internals.access().criticalCalls(got))
                        .as("a received eventfd is shared")
                        .isFalse();
                assertThat(got.fd()).isNotEqualTo(e.fd());
                got.signal(4);
                assertThat(e.tryRead()).as("one counter, two fds").isEqualTo(4);
            }
            e.signal();
            assertThat(e.tryRead()).as("closing the received one leaves ours").isEqualTo(1);
        }
    }

    @Test
    void sendingAClosedSignalOrOnAClosedSocketIsRefused() throws Exception {
        String name = "wakefd-test-closed-" + ProcessHandle.current().pid();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser());
                FdSocket c = FdSocket.connectAbstract(name);
                FdSocket s = l.accept(WAIT)) {
            EventFd e = EventFd.open();
            e.close();
            assertThatThrownBy(() -> c.send(e)).isInstanceOf(java.nio.channels.ClosedChannelException.class);
            c.close();
            try (EventFd open = EventFd.open()) {
                assertThatThrownBy(() -> c.send(open)).isInstanceOf(java.nio.channels.ClosedChannelException.class);
            }
            assertThatThrownBy(() -> s.receive(WAIT)).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void badNamesAndMissingListenersAreClearErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> FdListener.bindAbstract("", PeerPolicy.sameUser()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be 1..107 bytes");
        assertThatThrownBy(() -> FdListener.bind(Path.of("/tmp/" + "x".repeat(120))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be 1..107 bytes");
        assertThatThrownBy(() -> FdSocket.connect(Path.of("/nonexistent/dir/x.sock")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("connect(")
                .hasMessageContaining("ENOENT");
        Path stale = dir.resolve("stale.sock");
        try (FdListener l = FdListener.bind(stale)) {
            assertThatThrownBy(() -> FdListener.bind(stale))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("EADDRINUSE");
        }
        assertThatThrownBy(() -> FdSocket.connectAbstract(
                        "wakefd-nobody-" + ProcessHandle.current().pid()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ECONNREFUSED (Connection refused)");
    }

    @Test
    void noFdLeaksOverManyConnections() throws Exception {
        String name = "wakefd-test-leak-" + ProcessHandle.current().pid();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser());
                EventFd e = EventFd.open()) {
            java.util.Set<String> before = fdTable();
            for (int i = 0; i < 300; i++) {
                try (FdSocket c = FdSocket.connectAbstract(name);
                        FdSocket s = l.accept(WAIT)) {
                    c.send(e);
                    s.receive(WAIT).close();
                }
            }
            assertThat(fdTable()).isSubsetOf(before);
        }
    }
}
