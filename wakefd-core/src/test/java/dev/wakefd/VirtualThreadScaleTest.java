package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 10,000 virtual threads await 10,000 EventFds on a scheduler with only 2 carriers. If await
 * pinned its carrier (blocked in a native call), at most 2 could wait at once and the rest would
 * never get to run until those returned: the signals are sent only after all 10,000 are waiting,
 * so the run would hang and fail. Runs in a child JVM, where the scheduler size can be set.
 */
class VirtualThreadScaleTest {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        List<EventFd> fds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fds.add(EventFd.open());
        }
        CountDownLatch returned = new CountDownLatch(n);
        AtomicLong sum = new AtomicLong();
        for (int i = 0; i < n; i++) {
            EventFd e = fds.get(i);
            Thread.ofVirtual().start(() -> {
                try {
                    sum.addAndGet(e.await());
                    returned.countDown();
                } catch (Exception ex) {
                    ex.printStackTrace();
                }
            });
        }
        // Every thread is waiting once every fd has a waiter (a lease) in the shared poller.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (fds.stream().anyMatch(e -> e.site.listenerCount() == 0)) {
            if (System.nanoTime() > deadline) {
                System.out.println("NOT-ALL-WAITING "
                        + fds.stream().filter(e -> e.site.listenerCount() > 0).count());
                System.exit(3);
            }
            Thread.yield();
        }
        for (int i = 0; i < n; i++) {
            fds.get(i).signal(i + 1);
        }
        boolean all = returned.await(60, TimeUnit.SECONDS);
        System.out.println((all ? "ALL-RETURNED " : "STUCK ") + returned.getCount() + " " + sum.get());
        System.exit(all ? 0 : 2);
    }

    @Test
    void tenThousandVirtualThreadsOnTwoCarriers() throws Exception {
        int n = 10_000;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-Djdk.virtualThreadScheduler.parallelism=2",
                        "-Djdk.virtualThreadScheduler.maxPoolSize=2",
                        "-cp",
                        System.getProperty("java.class.path"),
                        VirtualThreadScaleTest.class.getName(),
                        Integer.toString(n))
                .redirectErrorStream(true)
                .start();
        boolean exited = p.waitFor(150, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("child finished: " + out).isTrue();
        assertThat(out).contains("ALL-RETURNED 0 " + ((long) n * (n + 1) / 2));
        assertThat(p.exitValue()).isZero();
    }
}
