package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import dev.wakefd.Waker;
import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wakefd demo}: one wake signal passed around a ring of runtimes and back, lap after lap,
 * using only wakefd's public API. Link i is an EventFd; hop i sleeps on link i and signals link
 * i+1; the driver signals link 0 and sleeps on the last. Each sender stamps the time before it
 * signals; each receiver records the difference when it wakes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Pass one wake signal around a ring of runtimes (platform thread, virtual thread,",
                "poller, Netty epoll loop, Python asyncio process) and back, then report per-hop latency and the",
                "Waker's coalescing under a burst of producers."})
final class Demo implements Callable<Integer> {
    @Option(names = "--laps", defaultValue = "3000", description = "laps around the ring (default ${DEFAULT-VALUE})")
    int laps;

    @Option(names = "--producers", defaultValue = "8", description = "virtual-thread producers in the burst phase (default ${DEFAULT-VALUE})")
    int producers;

    @Option(names = "--burst", defaultValue = "200000", description = "wakes per producer in the burst phase (default ${DEFAULT-VALUE})")
    int burst;

    @Option(names = "--no-python", description = "leave the Python hop out even if python3 exists")
    boolean noPython;

    @Option(names = "--json", description = "print the results as JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter err;
    private FdSocket pythonSocket;

    @Override
    public Integer call() throws Exception {
        if (laps < 1 || producers < 1 || burst < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--laps, --producers and --burst must be at least 1 (got " + laps + ", " + producers + ", " + burst + ")");
        }
        err = spec.commandLine().getErr();
        Map<String, Object> result = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        ring(result, skipped);
        burst(result);
        result.put("skipped", skipped);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? Json.of(result) : human(result));
        out.flush();
        return 0;
    }

    // ---------------------------------------------------------------- the ring

    private void ring(Map<String, Object> result, List<String> skipped) throws Exception {
        String python = noPython ? null : findPython(skipped);
        boolean netty = io.netty.channel.epoll.Epoll.isAvailable();
        if (!netty) {
            skipped.add("Netty epoll hop: " + io.netty.channel.epoll.Epoll.unavailabilityCause());
        }
        skipped.add("Netty io_uring hop: wakefd-netty supports Netty's epoll transport only so far");
        List<String> names = new ArrayList<>(List.of("main -> platform thread", "platform -> virtual thread",
                "virtual thread -> poller"));
        String beforePython = "poller";
        if (netty) {
            names.add("poller -> Netty epoll loop");
            beforePython = "Netty loop";
        }
        if (python != null) {
            names.add(beforePython + " -> Python asyncio -> back");
            names.add("Python -> main");
        } else {
            names.add(beforePython + " -> main");
        }
        int links = names.size();
        List<EventFd> link = new ArrayList<>();
        for (int i = 0; i < links; i++) {
            link.add(EventFd.open());
        }
        AtomicLongArray stamp = new AtomicLongArray(links);
        List<Histogram> hist = new ArrayList<>();
        for (int i = 0; i < links; i++) {
            hist.add(new Histogram(TimeUnit.SECONDS.toNanos(10), 3));
        }
        Histogram lap = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        List<Thread> threads = new ArrayList<>();
        Process py = null;
        Poller poller = Poller.open("wakefd-demo-poller");
        io.netty.channel.MultiThreadIoEventLoopGroup group = netty
                ? new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.epoll.EpollIoHandler.newFactory())
                : null;
        int pythonLink = netty ? 4 : 3;
        try {
            threads.add(Thread.ofPlatform().name("demo-platform").start(hop(link, stamp, hist, 0)));
            threads.add(Thread.ofVirtual().name("demo-virtual").start(hop(link, stamp, hist, 1)));
            poller.register(link.get(2), n -> forward(link, stamp, hist, 2));
            if (netty) {
                io.netty.channel.IoEventLoop loop = (io.netty.channel.IoEventLoop) group.next();
                var reg = dev.wakefd.netty.NettyWake.register(loop, link.get(3), n -> forward(link, stamp, hist, 3));
                if (!reg.await(30, TimeUnit.SECONDS) || !reg.isSuccess()) {
                    throw new IllegalStateException("registering with the Netty loop failed", reg.cause());
                }
            }
            if (python != null) {
                // Python reads link pythonLink and signals the last link, which main awaits
                py = startPython(python, link.get(pythonLink), link.get(pythonLink + 1));
            }
            int last = links - 1;
            err.println("wakefd demo: " + laps + " laps through " + String.join(", ", names.subList(0, last)) + ", back to main");
            for (int l = 0; l < laps; l++) {
                long t0 = System.nanoTime();
                stamp.set(0, t0);
                link.get(0).signal();
                if (link.get(last).await(Duration.ofSeconds(30)) == 0) {
                    throw new IllegalStateException("lap " + l + " did not come back within 30 s");
                }
                long now = System.nanoTime();
                if (python != null) {
                    hist.get(pythonLink).recordValue(now - stamp.get(pythonLink)); // to Python and back
                } else {
                    hist.get(last).recordValue(now - stamp.get(last));
                }
                lap.recordValue(now - t0);
                progress(l + 1);
            }
            err.println();
        } finally {
            for (EventFd e : link) {
                e.close();
            }
            poller.close();
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
            if (pythonSocket != null) {
                pythonSocket.close(); // the peer sees EOF and exits
            }
            if (py != null && !py.waitFor(10, TimeUnit.SECONDS)) {
                py.destroy();
                py.waitFor(10, TimeUnit.SECONDS);
            }
        }
        List<Object> hops = new ArrayList<>();
        int recorded = python != null ? links - 1 : links;
        for (int i = 0; i < recorded; i++) {
            hops.add(percentiles(names.get(i), hist.get(i)));
        }
        result.put("laps", laps);
        result.put("python", python != null);
        result.put("hops", hops);
        result.put("lap", percentiles("whole lap", lap));
    }

    /** A thread hop: sleep on link i, record, stamp, signal link i+1; ends when the link closes. */
    private static Runnable hop(List<EventFd> link, AtomicLongArray stamp, List<Histogram> hist, int i) {
        return () -> {
            try {
                while (true) {
                    link.get(i).await();
                    forward(link, stamp, hist, i);
                }
            } catch (Exception closed) {
                // the demo is over
            }
        };
    }

    private static void forward(List<EventFd> link, AtomicLongArray stamp, List<Histogram> hist, int i) {
        long now = System.nanoTime();
        hist.get(i).recordValue(Math.max(0, now - stamp.get(i)));
        stamp.set(i + 1, System.nanoTime());
        try {
            link.get(i + 1).signal();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String findPython(List<String> skipped) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (Files.isExecutable(p)) {
                try {
                    Process check = new ProcessBuilder(p.toString(), "-c", "import os, socket; os.eventfd; socket.recv_fds")
                            .redirectErrorStream(true).start();
                    if (check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0) {
                        return p.toString();
                    }
                    skipped.add("Python hop: " + p + " lacks os.eventfd or socket.recv_fds (needs 3.10+)");
                    return null;
                } catch (Exception e) {
                    skipped.add("Python hop: " + p + " did not run: " + e.getMessage());
                    return null;
                }
            }
        }
        skipped.add("Python hop: no python3 on PATH");
        return null;
    }

    /** Starts the Python peer and hands it both links over a Unix socket (mode 0600, same user only). */
    private Process startPython(String python, EventFd in, EventFd out) throws Exception {
        Path dir = Files.createTempDirectory("wakefd-demo");
        Path script = dir.resolve("ring_peer.py");
        try (var res = Demo.class.getResourceAsStream("ring_peer.py")) {
            Files.copy(res, script);
        }
        Path sock = dir.resolve("ring.sock");
        Process p;
        try (FdListener listener = FdListener.bind(sock)) {
            p = new ProcessBuilder(python, script.toString(), sock.toString()).redirectErrorStream(true).start();
            // The peer runs until this socket closes: it stays open for the whole ring.
            pythonSocket = listener.accept();
            pythonSocket.send(in);
            pythonSocket.send(out);
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (!"ready".equals(line)) {
                throw new IllegalStateException("the Python hop did not start: " + line);
            }
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
        return p;
    }

    private void progress(int done) {
        int step = Math.max(1, laps / 40);
        if (done % step != 0 && done != laps) {
            return;
        }
        int width = 40;
        int filled = (int) ((long) done * width / laps);
        err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + laps + " laps");
        err.flush();
    }

    // ---------------------------------------------------------------- the burst

    /** Many producers wake one Waker while a consumer sleeps and drains: wakes asked vs write(2) paid. */
    private void burst(Map<String, Object> result) throws Exception {
        err.println("wakefd demo: burst: " + producers + " virtual-thread producers x " + burst + " wakes on one Waker");
        AtomicLong published = new AtomicLong();
        long asked = (long) producers * burst;
        long wakeUps = 0;
        long seen = 0;
        try (Waker waker = Waker.open()) {
            List<Thread> ps = new ArrayList<>();
            for (int i = 0; i < producers; i++) {
                ps.add(Thread.ofVirtual().start(() -> {
                    for (int k = 0; k < burst; k++) {
                        published.incrementAndGet();
                        waker.wake();
                    }
                }));
            }
            while (seen < asked) {
                if (waker.await(Duration.ofSeconds(30)) == 0) {
                    throw new IllegalStateException("burst: a lost wake-up (" + seen + " of " + asked + " seen)");
                }
                wakeUps++;
                seen = published.get();
            }
            for (Thread t : ps) {
                t.join();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("producers", producers);
            m.put("wakes_asked", asked);
            m.put("write_syscalls", waker.writes());
            m.put("consumer_wakeups", wakeUps);
            m.put("wakes_per_syscall", waker.writes() == 0 ? 0 : (double) asked / waker.writes());
            result.put("burst", m);
        }
    }

    // ---------------------------------------------------------------- output

    private static Map<String, Object> percentiles(String name, Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hop", name);
        m.put("count", h.getTotalCount());
        m.put("p50_us", us(h.getValueAtPercentile(50)));
        m.put("p90_us", us(h.getValueAtPercentile(90)));
        m.put("p99_us", us(h.getValueAtPercentile(99)));
        m.put("p999_us", us(h.getValueAtPercentile(99.9)));
        m.put("max_us", us(h.getMaxValue()));
        return m;
    }

    private static double us(long ns) {
        return Math.round(ns / 10.0) / 100.0;
    }

    @SuppressWarnings("unchecked")
    private static String human(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%nOne wake signal, %d laps around the ring (latency in microseconds)%n%n", (Integer) r.get("laps")));
        sb.append(String.format("%-36s %9s %9s %9s %9s %9s%n", "hop", "p50", "p90", "p99", "p99.9", "max"));
        List<Object> rows = new ArrayList<>((List<Object>) r.get("hops"));
        rows.add(r.get("lap"));
        for (Object o : rows) {
            Map<String, Object> m = (Map<String, Object>) o;
            sb.append(String.format("%-36s %9.1f %9.1f %9.1f %9.1f %9.1f%n", m.get("hop"), m.get("p50_us"), m.get("p90_us"),
                    m.get("p99_us"), m.get("p999_us"), m.get("max_us")));
        }
        Map<String, Object> b = (Map<String, Object>) r.get("burst");
        sb.append(String.format("%nWaker coalescing: %,d wakes asked by %d producers, %,d write(2) calls paid "
                        + "(%,.0f wakes per system call), consumer woke %,d times%n",
                (Long) b.get("wakes_asked"), (Integer) b.get("producers"), (Long) b.get("write_syscalls"),
                (Double) b.get("wakes_per_syscall"), (Long) b.get("consumer_wakeups")));
        for (String s : (List<String>) r.get("skipped")) {
            sb.append("skipped: ").append(s).append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
