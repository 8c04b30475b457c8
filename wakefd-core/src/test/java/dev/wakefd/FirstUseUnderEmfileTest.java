package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The first use of the waiting machinery while the process is out of fds (EMFILE): the shared
 * poller (readAsync, virtual-thread waits), a platform thread's first wait and Poller.open must
 * each fail with an IOException naming the call and errno, never an Error or an unchecked
 * exception; once fds are free again, the same calls work. Runs in a child JVM whose fd limit a
 * shell lowers ({@code ulimit -n}), so the test's own JVM keeps its fds; a limit of 256 leaves
 * the child JVM room to start on any Linux.
 */
class FirstUseUnderEmfileTest {

    public static void main(String[] args) throws Exception {
        preloadWakefdClasses(); // loading a class opens its file: do it while fds are free
        EventFd victim = EventFd.open();
        // handed out, as to a native library: virtual-thread waits now need the shared poller
        System.out.println("victim fd " + victim.fd());
        EventFd unexposed = EventFd.open(); // never handed out: Java writers wake its waiters alone
        List<EventFd> hog = new ArrayList<>();
        while (true) {
            try {
                hog.add(EventFd.open());
            } catch (IOException e) {
                report("exhausted", e);
                break;
            }
        }
        // 1. readAsync: the shared poller cannot be made
        try {
            long v = victim.readAsync().get(30, TimeUnit.SECONDS);
            System.out.println("readAsync returned " + v);
        } catch (ExecutionException e) {
            report("readAsync", e.getCause());
        } catch (Throwable t) {
            report("readAsync-direct", t);
        }
        // 2. a virtual thread's first wait
        report("virtual", outcome(Thread.ofVirtual(), () -> victim.await(Duration.ofMillis(10))));
        // 2b. a virtual thread on a signal whose fd nobody else has needs no poller at all
        Thread.ofVirtual().start(() -> {
            try {
                unexposed.signal(2); // before or during the wait: either way it returns 2
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        report("unexposed", outcome(Thread.ofVirtual(), () -> unexposed.await(Duration.ofSeconds(30))));
        // 3. a platform thread's first wait
        report("platform", outcome(Thread.ofPlatform(), () -> victim.await(Duration.ofMillis(10))));
        // 4. a new Poller
        try (Poller p = Poller.open()) {
            System.out.println("poller opened");
        } catch (Throwable t) {
            report("poller", t);
        }
        // the cause goes away
        for (int i = 0; i < 16; i++) {
            hog.remove(hog.size() - 1).close();
        }
        victim.signal(3);
        System.out.println("AFTER readAsync " + victim.readAsync().get(30, TimeUnit.SECONDS));
        victim.signal(4);
        System.out.println("AFTER virtual " + outcome(Thread.ofVirtual(), victim::await));
        victim.signal(5);
        System.out.println("AFTER platform " + outcome(Thread.ofPlatform(), victim::await));
        try (Poller p = Poller.open()) {
            victim.signal(6);
            System.out.println("AFTER poller " + p.readAsync(victim).get(30, TimeUnit.SECONDS));
        }
        System.out.println("DONE");
        System.exit(0);
    }

    private static Object outcome(Thread.Builder b, java.util.concurrent.Callable<Long> body) throws Exception {
        CompletableFuture<Object> f = new CompletableFuture<>();
        b.start(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable t) {
                f.complete(t);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    private static void report(String what, Object o) {
        if (o instanceof Throwable t) {
            System.out.println("FAILED " + what + " " + t.getClass().getName() + ": " + t.getMessage());
        } else {
            System.out.println("RETURNED " + what + " " + o);
        }
    }

    private static void preloadWakefdClasses() throws Exception {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path root = Path.of(entry);
            if (!Files.isDirectory(root.resolve("dev/wakefd"))) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root.resolve("dev/wakefd"))) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String rel = root.relativize(p).toString();
                    if (rel.endsWith(".class") && !rel.contains("ModelCheck")) {
                        Class.forName(
                                rel.substring(0, rel.length() - 6).replace('/', '.'),
                                false,
                                FirstUseUnderEmfileTest.class.getClassLoader());
                    }
                }
            }
        }
    }

    @Test
    void firstUseUnderEmfileFailsWithIOExceptionsAndRecovers() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        "sh",
                        "-c",
                        "ulimit -n 256 && exec \"$0\" \"$@\"",
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        FirstUseUnderEmfileTest.class.getName())
                .redirectErrorStream(true)
                .start();
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("child finished: " + out).isTrue();
        assertThat(out).as(out).doesNotContain("Error").doesNotContain("UncheckedIOException");
        for (String what : List.of("exhausted", "readAsync", "virtual", "platform", "poller")) {
            assertThat(out).as(out).containsPattern("FAILED " + what + " [\\w.]*IOException: \\w+: EMFILE \\(");
        }
        assertThat(out).as(out).contains("RETURNED unexposed 2");
        assertThat(out)
                .as(out)
                .contains("AFTER readAsync 3", "AFTER virtual 4", "AFTER platform 5", "AFTER poller 6", "DONE");
        assertThat(p.exitValue()).isZero();
    }
}
