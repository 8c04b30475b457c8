package dev.wakefd.bench.shm;

import dev.wakefd.EventFd;
import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.ipc.PeerPolicy;
import dev.wakefd.shm.Shm;
import dev.wakefd.shm.ShmReceiver;
import dev.wakefd.shm.ShmSender;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a from-idle round trip of wakefd-shm spends its time (issue 17), against two bare
 * eventfds between the same two JVMs, interleaved. The echo stamps System.nanoTime()
 * (CLOCK_MONOTONIC, one clock for both processes) into the message when its receive returned and
 * before its send. Usage: {@code IdleTrace TRIPS [spinMicros]}.
 */
public final class IdleTrace {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("child")) {
            child(args[1], args.length > 2 ? args[2] : null);
            return;
        }
        int n = Integer.parseInt(args[0]);
        String spin = args.length > 1 ? args[1] : null;
        String name = "wakefd-idletrace-" + ProcessHandle.current().pid();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
            List<String> cmd = new ArrayList<>(
                    List.of(ProcessHandle.current().info().command().orElseThrow()));
            cmd.addAll(ShmBench.jvmOptions());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), IdleTrace.class.getName(), "child", name));
            if (spin != null) {
                cmd.add(spin);
            }
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            FdSocket s = l.accept(Duration.ofSeconds(60));
            EventFd a = EventFd.open(), b = EventFd.open();
            s.send(a);
            s.send(b);
            ShmSender tx = Shm.createSender(l.accept(Duration.ofSeconds(60)), 1 << 16);
            ShmReceiver rx = Shm.createReceiver(l.accept(Duration.ofSeconds(60)), 1 << 16);
            ShmBench.spin(tx, rx, spin);
            String[] names = {
                "eventfd-only round trip",
                "shm round trip",
                "  parent tx.send returns (after t0)",
                "  child rx.receive returns (after t0)",
                "  child turnaround (receive return -> send call)",
                "  child tx.send call -> parent rx.receive returns",
                "  child tx.send call -> its return (previous trip)"
            };
            long[][] v = new long[names.length][n];
            byte[] m = new byte[64];
            for (int w = 0; w < ShmBench.WARMUP_TRIPS; w++) { // warm-up: C2-compiled in both processes
                a.signal();
                b.await();
                tx.send(m);
                rx.receive();
            }
            for (int k = -n / 2; k < n; k++) {
                LockSupport.parkNanos(ShmBench.GAP_NANOS);
                long t0 = System.nanoTime();
                a.signal();
                b.await();
                long t1 = System.nanoTime();
                LockSupport.parkNanos(ShmBench.GAP_NANOS);
                long u0 = System.nanoTime();
                tx.send(m);
                long u1 = System.nanoTime();
                byte[] r = rx.receive();
                long u2 = System.nanoTime();
                ByteBuffer bb = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
                long cRecv = bb.getLong(8), cSend = bb.getLong(16), cSent = bb.getLong(24);
                if (k >= 0) {
                    long[] row = {t1 - t0, u2 - u0, u1 - u0, cRecv - u0, cSend - cRecv, u2 - cSend, cSent};
                    for (int i = 0; i < row.length; i++) {
                        v[i][k] = row[i];
                    }
                }
            }
            String csv = System.getProperty("wakefd.trace.csv"); // one row per trip, ns, columns as printed
            if (csv != null) {
                StringBuilder sb = new StringBuilder();
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < names.length; i++) {
                        sb.append(i == 0 ? "" : ",").append(v[i][k]);
                    }
                    sb.append('\n');
                }
                java.nio.file.Files.writeString(java.nio.file.Path.of(csv), sb);
            }
            for (int i = 0; i < names.length; i++) {
                print(names[i], v[i]);
            }
            tx.close();
            rx.close();
            p.destroyForcibly();
        }
    }

    static void print(String what, long[] v) {
        long[] a = v.clone();
        Arrays.sort(a);
        System.out.printf(
                "%-52s p10 %6.1f  p50 %6.1f  p90 %6.1f us%n",
                what, a[a.length / 10] / 1e3, a[a.length / 2] / 1e3, a[a.length * 9 / 10] / 1e3);
    }

    static void child(String name, String spin) throws Exception {
        FdSocket s = FdSocket.connectAbstract(name);
        EventFd a = s.receive(Duration.ofSeconds(30)), b = s.receive(Duration.ofSeconds(30));
        ShmReceiver rx = Shm.acceptReceiver(FdSocket.connectAbstract(name), Duration.ofSeconds(60));
        ShmSender tx = Shm.acceptSender(FdSocket.connectAbstract(name), Duration.ofSeconds(60));
        ShmBench.spin(tx, rx, spin);
        long lastSend = 0;
        while (true) {
            a.await();
            b.signal();
            byte[] m = rx.receive();
            if (m == null) {
                return;
            }
            long t = System.nanoTime();
            ByteBuffer bb = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            bb.putLong(8, t);
            bb.putLong(24, lastSend);
            long t2 = System.nanoTime();
            bb.putLong(16, t2);
            tx.send(m);
            lastSend = System.nanoTime() - t2; // reported one trip late (how long a send takes)
        }
    }
}
