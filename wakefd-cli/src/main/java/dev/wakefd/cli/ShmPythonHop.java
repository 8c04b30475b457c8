package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.ipc.FdListener;
import dev.wakefd.shm.Shm;
import dev.wakefd.shm.ShmReceiver;
import dev.wakefd.shm.ShmSender;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A hop through wakefd-shm to a python3 process and back: a virtual thread awaits the inbound
 * eventfd and sends the lap number into a shared-memory channel, the Python peer
 * ({@code wakefd_shm.py}, standard library only) sends it back through a second channel, and a
 * platform thread receives it and signals onward. The hop's time is when the echo came back.
 */
final class ShmPythonHop extends AbstractHop {
    static final String NAME = "shm + Python";
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Path dir;
    private Process process;
    private FdListener listener;
    private ShmSender tx;
    private ShmReceiver rx;

    ShmPythonHop() throws IOException {
        super(
                NAME,
                "wakefd-shm: Java send()s into shared memory, python3 (wakefd_shm.py) echoes it back, Java receive()s");
        dir = Files.createTempDirectory("wakefd-demo-shm-");
    }

    /** Why the hop cannot run, or null if it can: it needs python3 3.10+ (os.eventfd). */
    static String unavailable() {
        String why = PythonHop.unavailable();
        return why != null
                ? why
                : PythonHop.probe(
                        "import os, sys; sys.exit(0 if hasattr(os, 'eventfd') else 3)",
                        "python3 is older than 3.10 (no os.eventfd, which wakefd_shm.py needs)");
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws Exception {
        long[] t = newTimes(laps);
        Path script = dir.resolve("shm_hop.py");
        copy("/dev/wakefd/cli/shm_hop.py", script);
        copy("/dev/wakefd/shm/peers/wakefd_shm.py", dir.resolve("wakefd_shm.py"));
        Path sock = dir.resolve("shm.sock");
        listener = FdListener.bind(sock); // 0600 and same-user peers only
        process = new ProcessBuilder(PythonHop.onPath("python3"), script.toString(), sock.toString())
                .redirectError(dir.resolve("python.stderr").toFile())
                .start();
        process.getOutputStream().close();
        tx = Shm.createSender(listener.accept(STARTUP), 1 << 16);
        rx = Shm.createReceiver(listener.accept(STARTUP), 1 << 16);
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = lines.readLine();
        if (!"ready".equals(line)) {
            throw failure(line == null ? "ended before it was ready" : "said '" + line + "' instead of 'ready'");
        }
        run(Thread.ofPlatform().name("wakefd-demo-shm-out").daemon(), () -> {
            for (int lap = 0; lap < laps; lap++) {
                byte[] m = rx.receive();
                t[lap] = System.nanoTime();
                long got = m == null
                        ? -1
                        : ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getLong();
                if (got != lap) {
                    throw new IllegalStateException(
                            "lap " + lap + ": the Python peer sent back " + (m == null ? "end of stream" : got));
                }
                out.signal();
                passedOn(lap);
            }
        });
        byte[] m = new byte[8];
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        run(Thread.ofVirtual().name("wakefd-demo-shm-in"), () -> {
            for (int lap = 0; lap < laps; lap++) {
                in.await();
                b.putLong(0, lap);
                tx.send(m);
            }
            tx.close(); // end of stream: the peer closes its sender and exits
        });
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream s = ShmPythonHop.class.getResourceAsStream(resource)) {
            if (s == null) {
                throw new IOException("resource " + resource + " is missing from the class path");
            }
            Files.write(to, s.readAllBytes());
        }
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws Exception {
        long[] t = super.wakeTimes(timeout);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
            throw failure("did not exit cleanly after the last lap");
        }
        return t;
    }

    private Main.Failure failure(String what) {
        String err = "";
        try {
            if (process != null && !process.isAlive()) {
                err = Files.readString(dir.resolve("python.stderr")).strip();
            }
        } catch (IOException e) {
            // nothing more to say
        }
        return new Main.Failure("the " + NAME + " hop's python3 " + what + (err.isEmpty() ? "" : ":\n" + err));
    }

    @Override
    public void close() {
        super.close();
        if (tx != null) {
            tx.close();
        }
        if (rx != null) {
            rx.close();
        }
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        if (listener != null) {
            listener.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
