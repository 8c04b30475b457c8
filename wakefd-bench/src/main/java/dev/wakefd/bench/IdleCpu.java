package dev.wakefd.bench;

import dev.wakefd.EventFd;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Idle cost: N virtual threads each wait on its own EventFd (default 10,000) and nothing is
 * signalled for S seconds (default 10); prints the process's CPU time over that window as a
 * share of one CPU, as a JSON line for the report. Then signals every fd and checks that every
 * waiter returned with its count, so the idle window really had N waiters.
 *
 * With {@code exposed}, each fd is handed out first ({@code fd()}), so that every signal also has an
 * entry in wakefd's shared poller, as when native code or another process may write it.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.wakefd.bench.IdleCpu [N] [S] [exposed]</pre>
 */
public final class IdleCpu {
    private IdleCpu() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        boolean exposed = args.length > 2 && args[2].equals("exposed");
        List<EventFd> fds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            EventFd e = EventFd.open();
            if (exposed) {
                e.fd();
            }
            fds.add(e);
        }
        CountDownLatch returned = new CountDownLatch(n);
        AtomicLong sum = new AtomicLong();
        List<Thread> waiters = new ArrayList<>(n);
        for (EventFd e : fds) {
            waiters.add(Thread.ofVirtual().start(() -> {
                try {
                    sum.addAndGet(e.await());
                    returned.countDown();
                } catch (Exception ex) {
                    ex.printStackTrace();
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (waiters.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every virtual thread parked within 60 s");
            }
            Thread.sleep(10);
        }
        System.gc(); // settle before the window, not inside it
        Thread.sleep(1000);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long cpu = os.getProcessCpuTime() - cpu0;
        long wall = System.nanoTime() - t0;
        for (int i = 0; i < n; i++) {
            fds.get(i).signal(i + 1);
        }
        if (!returned.await(60, TimeUnit.SECONDS) || sum.get() != (long) n * (n + 1) / 2) {
            throw new IllegalStateException("waiters did not all return: " + returned.getCount() + " left");
        }
        double percent = 100.0 * cpu / wall;
        System.out.printf(
                java.util.Locale.ROOT,
                "{\"name\": \"idle.virtual_waiters_cpu_percent" + (exposed ? "_exposed" : "") + "\", \"unit\": \"%%\", "
                        + "\"waiters\": %d, \"seconds\": %d, \"cpu_ns\": %d, \"wall_ns\": %d, \"mean\": %.4f, "
                        + "\"ci999\": 0, \"median\": %.4f, \"p99\": %.4f}%n",
                n,
                seconds,
                cpu,
                wall,
                percent,
                percent,
                percent);
        for (EventFd e : fds) {
            e.close();
        }
    }
}
