package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A python3 process waiting in an asyncio loop ({@code loop.add_reader}). It gets the ring's two
 * eventfds over a Unix socket: wakefd-ipc's {@link FdListener}/{@link FdSocket} on this side,
 * {@code socket.recv_fds} on that side.
 */
final class PythonHop implements Hop {
    static final String NAME = "Python asyncio";
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final String END = "\u0000end";

    private final Path dir;
    private final Path stderr;
    private FdListener listener;
    private FdSocket socket;
    private Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile int passed = -1;
    private int laps;

    PythonHop() throws IOException {
        dir = Files.createTempDirectory("wakefd-demo-");
        stderr = dir.resolve("python.stderr");
    }

    /** Why python3 cannot take part, or null if it can. */
    static String unavailable() {
        return probe(
                "import socket, sys; sys.exit(0 if hasattr(socket, 'recv_fds') else 3)",
                "python3 is older than 3.9 (no socket.recv_fds)");
    }

    /** Runs {@code python3 -c code}: null if it exits 0, {@code tooOld} if it exits 3, else why not. */
    static String probe(String code, String tooOld) {
        String exe = onPath("python3");
        if (exe == null) {
            return "python3 is not on PATH";
        }
        try {
            Process p = new ProcessBuilder(exe, "-c", code)
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "python3 did not answer within 20 s";
            }
            if (p.exitValue() == 3) {
                return tooOld;
            }
            return p.exitValue() == 0 ? null : "python3 failed to start (exit code " + p.exitValue() + ")";
        } catch (IOException e) {
            return "python3 failed to start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking python3";
        }
    }

    static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p.toString();
            }
        }
        return null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String how() {
        return "a python3 process: fds over a Unix socket (FdSocket.send, socket.recv_fds), loop.add_reader";
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws Exception {
        this.laps = laps;
        String script;
        try (InputStream s = PythonHop.class.getResourceAsStream("python_hop.py")) {
            script = new String(s.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path scriptFile = dir.resolve("python_hop.py");
        Files.writeString(scriptFile, script);
        Path sock = dir.resolve("ring.sock");
        listener = FdListener.bind(sock); // 0600 and same-user peers only
        process = new ProcessBuilder(onPath("python3"), scriptFile.toString(), sock.toString(), Integer.toString(laps))
                .redirectError(stderr.toFile())
                .start();
        process.getOutputStream().close();
        Thread.ofPlatform().daemon().name("wakefd-demo-python-out").start(() -> pump(process.getInputStream()));

        // accept() blocks in the kernel: run it on its own platform thread and bound the wait.
        CompletableFuture<FdSocket> accepted = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("wakefd-demo-accept").start(() -> {
            try {
                accepted.complete(listener.accept());
            } catch (Throwable e) {
                accepted.completeExceptionally(e);
            }
        });
        try {
            socket = accepted.get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            listener.close(); // ends the blocked accept
            throw failure("did not connect within " + STARTUP.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw failure("accepting its connection failed: " + e.getCause());
        }
        socket.send(in);
        socket.send(out);
        String line = lines.poll(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        if (!"ready".equals(line)) {
            throw failure(
                    line == null
                            ? "was not ready within " + STARTUP.toSeconds() + " s"
                            : "said '" + line + "' instead of 'ready'");
        }
    }

    private void pump(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String l; (l = r.readLine()) != null; ) {
                lines.add(l);
            }
        } catch (IOException e) {
            // the process is gone; END below tells the reader
        }
        lines.add(END);
    }

    /** -1 until it reports: the process says nothing while it runs, to keep its loop lean. */
    @Override
    public int passed() {
        return passed;
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws Exception {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw failure("still running after " + timeout.toSeconds() + " s");
        }
        if (!line.startsWith("times")) {
            throw failure("ended without reporting its times");
        }
        String[] parts = line.split(" ");
        if (parts.length != laps + 1) {
            throw failure("reported " + (parts.length - 1) + " times for " + laps + " laps");
        }
        long[] t = new long[laps];
        for (int i = 0; i < laps; i++) {
            t[i] = Long.parseLong(parts[i + 1]);
        }
        passed = laps;
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
            throw failure("did not exit cleanly");
        }
        return t;
    }

    private Main.Failure failure(String what) {
        String err = "";
        try {
            if (process != null && !process.isAlive()) {
                err = Files.readString(stderr).strip();
            }
        } catch (IOException e) {
            // nothing more to say
        }
        String exit = process != null && !process.isAlive() ? " (exit code " + process.exitValue() + ")" : "";
        return new Main.Failure("the python3 hop " + what + exit + (err.isEmpty() ? "" : ":\n" + err));
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        if (socket != null) {
            socket.close();
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
