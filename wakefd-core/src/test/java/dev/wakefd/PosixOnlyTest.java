package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.internal.Native;
import dev.wakefd.internal.Platform;
import dev.wakefd.testing.TestBackend;
import java.io.File;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * POSIX-only mode (-Dwakefd.platform=posix, surefire's third run) makes no Linux-only call: every
 * way of signalling and waiting is exercised, then the record of looked-up symbols is checked.
 * In the other runs: the record itself works (a negative control), and loading classes looks
 * nothing up.
 */
class PosixOnlyTest {

    @Test
    void everyPathLooksUpOnlyPosixSymbols() throws Exception {
        assumeTrue(TestBackend.isPosixOnly(), "POSIX-only run");
        assertThat(Platform.posixOnly()).isTrue();
        exerciseEverything();
        List<String> looked = new ArrayList<>(Native.symbolsLookedUp());
        assertThat(looked)
                .as("symbols looked up in POSIX-only mode")
                .isNotEmpty()
                .noneMatch(Platform::linuxOnly)
                .allMatch(Platform.POSIX_SYMBOLS::contains)
                .contains("pipe", "poll", "fcntl", "read", "write", "close");
    }

    /** The record is real: the same paths on the default backend look up eventfd and epoll. */
    @Test
    void theRecordSeesLinuxSymbolsInLinuxMode() throws Exception {
        assumeFalse(TestBackend.isPipe(), "eventfd run");
        exerciseEverything();
        assertThat(Native.symbolsLookedUp()).contains("eventfd", "epoll_create1", "epoll_wait", "epoll_ctl");
    }

    @Test
    void posixOnlyModeRefusesLinuxOnlySymbols() {
        assumeTrue(TestBackend.isPosixOnly(), "POSIX-only run");
        FunctionDescriptor d = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        assertThatThrownBy(() -> Native.downcall("eventfd", d, false))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("eventfd")
                .hasMessageContaining("Linux-only")
                .hasMessageContaining("-Dwakefd.platform=posix");
        assertThat(Native.symbolsLookedUp()).doesNotContain("eventfd");
        assertThatThrownBy(() -> EventFd.adopt(0))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("POSIX-only mode");
    }

    /**
     * Loading (and initialising) every top-level class of wakefd-core looks up no symbol: in a
     * fresh JVM. (Nested holder classes are where lookups live; initialising one is using it.)
     */
    @Test
    void loadingClassesLooksNothingUp() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(
                List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        if (TestBackend.isPosixOnly()) {
            cmd.add("-Dwakefd.platform=posix");
        }
        cmd.add(LoadEveryClass.class.getName());
        cmd.add(Path.of(EventFd.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("child output").contains("loaded ").contains("looked up: []");
        assertThat(out).doesNotContain("loaded 0 ");
    }

    /**
     * On a system without a constant table, classes load and {@code open} refuses with the
     * message naming what is missing (a child JVM told {@code -Dos.name=SunOS}).
     */
    @Test
    void anUnknownSystemIsRefusedAtOpenNotAtClassInitialisation() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-Dos.name=SunOS",
                        "-cp",
                        System.getProperty("java.class.path"),
                        OpenOnUnknownSystem.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out)
                .as("child output")
                .contains(
                        "EventFd.open: java.lang.UnsupportedOperationException: wakefd has no kernel constants for SunOS")
                .contains(
                        "Poller.open: java.lang.UnsupportedOperationException: wakefd has no kernel constants for SunOS")
                .contains("O_NONBLOCK")
                .contains("nfds_t")
                .doesNotContain("ExceptionInInitializerError")
                .doesNotContain("NoClassDefFoundError");
    }

    /** The child of {@link #anUnknownSystemIsRefusedAtOpenNotAtClassInitialisation}. */
    static final class OpenOnUnknownSystem {
        public static void main(String[] args) throws Exception {
            Class.forName("dev.wakefd.internal.Errno", true, OpenOnUnknownSystem.class.getClassLoader());
            Class.forName("dev.wakefd.internal.FdCalls", true, OpenOnUnknownSystem.class.getClassLoader());
            for (int i = 0; i < 2; i++) { // twice: the refusal is not a one-time class-init failure
                try {
                    EventFd.open().close();
                    System.out.println("EventFd.open: opened");
                } catch (Throwable t) {
                    System.out.println("EventFd.open: " + t);
                }
                try {
                    Poller.open().close();
                    System.out.println("Poller.open: opened");
                } catch (Throwable t) {
                    System.out.println("Poller.open: " + t);
                }
            }
        }
    }

    /** The child of {@link #loadingClassesLooksNothingUp}: initialises every top-level class under a classes directory. */
    static final class LoadEveryClass {
        public static void main(String[] args) throws Exception {
            Path root = Path.of(args[0]);
            List<String> names = new ArrayList<>();
            try (var files = java.nio.file.Files.walk(root)) {
                for (Path f : files.toList()) {
                    String rel = root.relativize(f).toString();
                    if (rel.endsWith(".class") && !rel.endsWith("module-info.class") && !rel.contains("$")) {
                        names.add(rel.substring(0, rel.length() - 6).replace(File.separatorChar, '.'));
                    }
                }
            }
            for (String n : names) {
                Class.forName(n, true, LoadEveryClass.class.getClassLoader());
            }
            System.out.println("loaded " + names.size() + " classes; looked up: " + Native.symbolsLookedUp());
        }
    }

    private static void exerciseEverything() throws Exception {
        try (EventFd e = EventFd.open();
                EventFd sem = EventFd.builder().semaphore(true).open()) {
            e.signal();
            assertThat(e.tryRead()).isEqualTo(1);
            sem.signal(2);
            assertThat(sem.tryRead()).isEqualTo(1);
            assertThat(sem.tryRead()).isEqualTo(1);
            // Platform thread: blocks, then a signal from another thread ends the wait.
            CompletableFuture<Long> platform = CompletableFuture.supplyAsync(() -> call(e::await));
            SignalProbe.blockedOn(e);
            e.signal(3);
            assertThat(platform.get(30, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(e.await(Duration.ofMillis(1))).isZero();
            // Virtual thread.
            AtomicLong got = new AtomicLong();
            Thread v = Thread.ofVirtual().start(() -> got.set(call(e::await)));
            SignalProbe.blockedOn(e);
            e.signal(4);
            v.join();
            assertThat(got.get()).isEqualTo(4);
            // Futures on the shared poller, and a user's Poller.
            CompletableFuture<Long> f = e.readAsync();
            e.signal(5);
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(5);
            try (Poller p = Poller.open()) {
                CompletableFuture<Long> handled = new CompletableFuture<>();
                Poller.Registration r = p.register(sem, handled::complete);
                sem.signal();
                assertThat(handled.get(30, TimeUnit.SECONDS)).isEqualTo(1);
                r.cancel();
            }
            try (EventFd dup = e.duplicate()) {
                dup.signal();
                assertThat(e.tryRead()).isEqualTo(1);
            }
        }
        try (Waker w = Waker.open()) {
            w.wake();
            assertThat(w.await()).isPositive();
        }
    }

    interface IoCall {
        long call() throws Exception;
    }

    private static long call(IoCall c) {
        try {
            return c.call();
        } catch (Exception ex) {
            throw new RuntimeException(ex);
        }
    }
}
