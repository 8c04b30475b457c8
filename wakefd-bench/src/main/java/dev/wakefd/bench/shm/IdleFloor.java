package dev.wakefd.bench.shm;

import dev.wakefd.EventFd;
import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.ipc.PeerPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * From-idle floor for wakefd-shm (issue 17): a round trip between two JVMs after a 150 µs gap
 * through two eventfds only (core's EventFd.signal/await), no ring. Usage: {@code IdleFloor parent TRIPS}.
 */
public final class IdleFloor {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("child")) {
            FdSocket s = FdSocket.connectAbstract(args[1]);
            EventFd a = s.receive(Duration.ofSeconds(30)), b = s.receive(Duration.ofSeconds(30));
            while (true) {
                a.await();
                b.signal();
            }
        }
        int n = Integer.parseInt(args[1]);
        String name = "wakefd-idlefloor-" + ProcessHandle.current().pid();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder(List.of(
                            java,
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            IdleFloor.class.getName(),
                            "child",
                            name))
                    .inheritIO()
                    .start();
            FdSocket s = l.accept(Duration.ofSeconds(60));
            EventFd a = EventFd.open(), b = EventFd.open();
            s.send(a);
            s.send(b);
            long[] r = new long[n];
            for (int k = -n / 5; k < n; k++) {
                LockSupport.parkNanos(150_000);
                long t0 = System.nanoTime();
                a.signal();
                b.await();
                if (k >= 0) r[k] = System.nanoTime() - t0;
            }
            Arrays.sort(r);
            System.out.printf(
                    "java EventFd-only from idle: p50 %.1f us p90 %.1f us%n", r[n / 2] / 1e3, r[n * 9 / 10] / 1e3);
            p.destroyForcibly();
        }
    }
}
