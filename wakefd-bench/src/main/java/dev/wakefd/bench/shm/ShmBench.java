package dev.wakefd.bench.shm;

import dev.wakefd.EventFd;
import dev.wakefd.bench.LineProbe;
import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.ipc.PeerPolicy;
import dev.wakefd.shm.Shm;
import dev.wakefd.shm.ShmReceiver;
import dev.wakefd.shm.ShmSender;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The shm group (issue 17): wakefd-shm between two processes against a Unix-domain socket stream
 * and Aeron IPC (embedded media driver), all in one run, every process placed by the scheduler.
 *
 * <ul>
 *   <li>throughput: one-way messages of 8, 64 and 1024 bytes from this JVM to a child JVM, in
 *       interleaved rounds (shm, socket, Aeron with BusySpinIdleStrategy on both sides);</li>
 *   <li>from idle: a 64-byte round trip after a ~150 µs gap (both sides asleep), p50/p90/p99
 *       (shm, socket, Aeron with BackoffIdleStrategy);</li>
 *   <li>idle reader CPU: a child blocked in shm receive, in read(2) on a socket, and Aeron polling
 *       with BackoffIdleStrategy: CPU time per second of wall time;</li>
 *   <li>Java and Python (with {@code --python DIR}): throughput each way and the from-idle round
 *       trip over shm against the same exchange over a Unix socket in Python.</li>
 * </ul>
 *
 * Usage: {@code ShmBench [--quick] [--only throughput,from-idle,idle-cpu,python] [--python DIR_OF_wakefd_shm.py]
 * [--jsonl FILE] [--md FILE]}.
 * The child side is {@code ShmBench --peer MODE ...}.
 */
public final class ShmBench {
    static final int ROUND_TRIP_SIZE = 64;
    static final long GAP_NANOS = 150_000;
    /**
     * A trip's gap is drawn uniformly from GAP_NANOS +- a third (100 - 200 µs), the same seeded
     * sequence for every channel. With one fixed gap a periodic poller (Aeron's backoff parks of
     * about 50 µs each) would meet every message at the same phase of its schedule, which can land
     * anywhere from just before a wake (a few µs) to just after one: the p50 would measure the
     * phase, not the channel.
     */
    static long gapNanos(java.util.SplittableRandom r, long gap) {
        return gap - gap / 3 + r.nextLong(2 * gap / 3 + 1);
    }

    /**
     * A second, longer gap, beside the 150 µs: a backoff poller has not finished backing
     * off 150 µs after its last message (it still polls every few µs), and pays for its longest
     * park only after a longer idle spell.
     */
    static final long LONG_GAP_NANOS = 2_000_000;
    /**
     * Back-to-back round trips before the measured ones, per channel. Each trip runs the same
     * code as one from idle (send, wake, announce, sleep, withdraw on both sides), and C2 compiles
     * a method after about 5,000 calls: with fewer, a from-idle trip measured C1's profiling code
     * (which a long-running service has left behind long ago), not the cold CPU.
     */
    static final int WARMUP_TRIPS = Integer.getInteger("wakefd.shm.bench.warmupTrips", 20_000);

    final boolean quick;
    final double seconds;
    final int rounds, trips;
    final String pythonDir;
    final List<String> jsonl = new ArrayList<>();
    final Map<String, List<Double>> results = new LinkedHashMap<>();

    ShmBench(boolean quick, String pythonDir) {
        this.quick = quick;
        this.seconds = quick ? 0.2 : 1.0;
        this.rounds = quick ? 1 : Integer.getInteger("wakefd.shm.bench.rounds", 3);
        this.trips = quick ? 300 : Integer.getInteger("wakefd.shm.bench.trips", 3000);
        this.pythonDir = pythonDir;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--peer")) {
            Peer.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        try {
            run(args);
        } finally {
            closeDriver(); // its threads are not daemons: without this the JVM would never exit
        }
    }

    static void run(String[] args) throws Exception {
        boolean quick = false;
        String python = null, jsonlFile = null, md = null, only = "throughput,from-idle,idle-cpu,python";
        List<String> reportOf = null;
        for (int i = 0; i < args.length; i++) {
            if (reportOf != null) {
                reportOf.add(args[i]);
                continue;
            }
            switch (args[i]) {
                case "--report" -> reportOf = new ArrayList<>();
                case "--quick" -> quick = true;
                case "--python" -> python = args[++i];
                case "--jsonl" -> jsonlFile = args[++i];
                case "--md" -> md = args[++i];
                case "--only" -> only = args[++i];
                default ->
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + " (usage: ShmBench [--quick] [--only throughput,from-idle,idle-cpu,python] [--python DIR] [--jsonl FILE] [--md FILE]"
                            + " | ShmBench [--md FILE] --report RUN.jsonl...)");
            }
        }
        if (reportOf != null) { // merge the runs' raw results into one page
            List<Map<String, List<Double>>> runs = new ArrayList<>();
            for (String f : reportOf) {
                runs.add(Report.read(Path.of(f)));
            }
            String page = new Report(runs, reportOf).page();
            System.out.println(page);
            if (md != null) {
                Files.writeString(Path.of(md), page);
            }
            return;
        }
        ShmBench b = new ShmBench(quick, python);
        List<String> parts = List.of(only.split(","));
        if (parts.contains("throughput")) {
            b.throughput();
        }
        if (parts.contains("from-idle")) {
            b.fromIdle();
        }
        if (parts.contains("idle-cpu")) {
            b.idleCpu();
        }
        if (python != null && parts.contains("python")) {
            b.python();
        }
        String page = new Report(List.of(b.results), List.of("this run")).page();
        System.out.println(page);
        if (jsonlFile != null) {
            Files.write(Path.of(jsonlFile), b.jsonl);
        }
        if (md != null) {
            Files.writeString(Path.of(md), page);
        }
    }

    static synchronized void closeDriver() {
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }

    void record(String bench, String channel, int size, double value, String unit) {
        String key = bench + "|" + channel + "|" + size;
        results.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        jsonl.add(String.format(
                Locale.ROOT,
                "{\"group\":\"shm\",\"bench\":\"%s\",\"channel\":\"%s\",\"size\":%d,\"value\":%.3f,\"unit\":\"%s\"}",
                bench,
                channel,
                size,
                value,
                unit));
        System.err.printf(Locale.ROOT, "shm group: %-10s %-14s %5d B  %,.1f %s%n", bench, channel, size, value, unit);
    }

    // ------------------------------------------------------------------ the three one-way channels

    /** This side of a one-way channel to a child. */
    interface Tx extends AutoCloseable {
        void send(byte[] m) throws Exception;

        /** Reads the child's answer line. */
        String answer() throws IOException;

        @Override
        void close() throws Exception;
    }

    static Process child(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (childCpu >= 0) {
            cmd.addAll(List.of("taskset", "-c", Integer.toString(childCpu)));
        }
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ShmBench.class.getName(), "--peer"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** The options this JVM was started with that a child needs (native access, Aeron's opens). */
    static List<String> jvmOptions() {
        List<String> out = new ArrayList<>();
        for (String a :
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--enable-native-access")
                    || a.startsWith("--add-opens")
                    || a.startsWith("--sun-misc")
                    || a.startsWith("-Xmx")
                    || a.startsWith("-XX:")
                    || a.startsWith("-Dwakefd.")) {
                out.add(a);
            }
        }
        return out;
    }

    static String uniqueName() {
        return "wakefd-bench-shm-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    static final class Lines {
        final BufferedReader in;

        Lines(Process p) {
            in = new BufferedReader(new InputStreamReader(p.getInputStream()));
        }

        String next() throws IOException {
            String l = in.readLine();
            if (l == null) {
                throw new IOException("the child process ended without answering");
            }
            return l;
        }
    }

    static final class ShmTx implements Tx {
        final Process p;
        final Lines lines;
        final ShmSender tx;

        ShmTx(String childMode, String... extra) throws Exception {
            String name = uniqueName();
            try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
                List<String> a = new ArrayList<>(List.of(childMode, name));
                a.addAll(List.of(extra));
                p = childMode.startsWith("py-") ? python(a) : child(a.toArray(String[]::new));
                lines = new Lines(p);
                tx = Shm.createSender(l.accept(Duration.ofSeconds(60)), 1 << 20);
            }
            expect(lines.next(), "READY");
        }

        public void send(byte[] m) throws Exception {
            tx.send(m);
        }

        long[] rx = new long[3]; // the receiver's wakes, sleeps, waits at the end of the last round

        /** The sender's wakes, sleeps, waits; the run-queue wait (ns) of the child's and of this JVM's threads. */
        long[] counts() throws IOException {
            return new long[] {
                tx.wakes(),
                tx.sleeps(),
                tx.waits(),
                runQueueWait(p.pid()),
                runQueueWait(ProcessHandle.current().pid())
            };
        }

        public String answer() throws IOException {
            return lines.next();
        }

        public void close() throws Exception {
            tx.close();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    static final class SocketTx implements Tx {
        final Process p;
        final Lines lines;
        final SocketChannel ch;
        final ByteBuffer frame = ByteBuffer.allocateDirect(4 + 65536).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final Path path;

        SocketTx(String childMode, String... extra) throws Exception {
            path = Path.of("/tmp", uniqueName() + ".sock");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                List<String> a = new ArrayList<>(List.of(childMode, path.toString()));
                a.addAll(List.of(extra));
                p = childMode.startsWith("py-") ? python(a) : child(a.toArray(String[]::new));
                lines = new Lines(p);
                ch = server.accept();
            } finally {
                Files.deleteIfExists(path);
            }
            expect(lines.next(), "READY");
        }

        public void send(byte[] m) throws Exception {
            frame.clear();
            frame.putInt(m.length).put(m).flip();
            while (frame.hasRemaining()) {
                ch.write(frame); // one write(2) per message, as a socket user sends one
            }
        }

        public String answer() throws IOException {
            return lines.next();
        }

        public void close() throws Exception {
            ch.close();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    /** Aeron's embedded media driver, once per run, in this JVM. */
    static MediaDriver driver;

    static synchronized String aeronDir() {
        if (driver == null) {
            String dir = "/dev/shm/" + uniqueName();
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .aeronDirectoryName(dir)
                    .threadingMode(ThreadingMode.SHARED)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .ipcTermBufferLength(8 << 20));
        }
        return driver.aeronDirectoryName();
    }

    static final class AeronTx implements Tx {
        static int streams = 1000;
        final Process p;
        final Lines lines;
        final Aeron aeron;
        final ExclusivePublication pub;
        final UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(65536));
        final IdleStrategy idle = new BusySpinIdleStrategy();

        AeronTx(String childMode) throws Exception {
            String dir = aeronDir();
            int stream = ++streams;
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            pub = aeron.addExclusivePublication("aeron:ipc", stream);
            p = child(childMode, dir, Integer.toString(stream));
            lines = new Lines(p);
            expect(lines.next(), "READY");
            while (!pub.isConnected()) {
                Thread.onSpinWait();
            }
        }

        public void send(byte[] m) {
            buf.putBytes(0, m);
            idle.reset();
            while (pub.offer(buf, 0, m.length) < 0) {
                idle.idle();
            }
        }

        public String answer() throws IOException {
            return lines.next();
        }

        public void close() throws Exception {
            byte[] quit = new byte[8];
            quit[0] = 2;
            send(quit);
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
            pub.close();
            aeron.close();
        }
    }

    static void expect(String got, String want) throws IOException {
        if (!got.equals(want)) {
            throw new IOException("child said '" + got + "', expected '" + want + "'");
        }
    }

    /** The line transfer measured before the last wakefd-shm round (ns one way). */
    double lastLine;

    /** One timed one-way run: messages for `seconds`, then a stop message; the child counts and answers. */
    double throughputRound(Tx tx, int size) throws Exception {
        byte[] m = new byte[size];
        byte[] stop = new byte[size];
        stop[0] = 1;
        long n = 0;
        ShmTx shmTx = tx instanceof ShmTx st ? st : null;
        double line = shmTx == null ? 0 : lineTransferNanos();
        lastLine = line;
        long[] c0 = shmTx == null ? null : shmTx.counts();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        do {
            for (int k = 0; k < 256; k++) {
                tx.send(m);
            }
            n += 256;
        } while (System.nanoTime() < end);
        tx.send(stop);
        String done = tx.answer();
        long t1 = System.nanoTime();
        String[] f = done.split(" ");
        long counted = Long.parseLong(f[1]);
        if (shmTx != null && f.length >= 5) {
            // Why a round ran at its speed: the wait counters of both ends (the receiver's from
            // its DONE line, cumulative) and how long the two processes' threads waited for a CPU.
            long[] c1 = shmTx.counts();
            long[] rx = {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])};
            System.err.printf(
                    Locale.ROOT,
                    "shm group: round %5d B %6.2f M msg/s | line transfer %.0f ns | sender wakes %d sleeps %d waits %d"
                            + " | receiver wakes %d sleeps %d waits %d (%.0f msg per wait) | run-queue wait: child %.0f ms,"
                            + " parent %.0f ms%n",
                    size,
                    counted / ((t1 - t0) / 1e9) / 1e6,
                    line,
                    c1[0] - c0[0],
                    c1[1] - c0[1],
                    c1[2] - c0[2],
                    rx[0] - shmTx.rx[0],
                    rx[1] - shmTx.rx[1],
                    rx[2] - shmTx.rx[2],
                    counted / (double) Math.max(1, rx[2] - shmTx.rx[2]),
                    (c1[3] - c0[3]) / 1e6,
                    (c1[4] - c0[4]) / 1e6);
            shmTx.rx = rx;
        }
        if (counted != n + 1) {
            throw new IOException("the child counted " + counted + " messages, " + (n + 1) + " were sent");
        }
        return counted / ((t1 - t0) / 1e9);
    }

    void throughput() throws Exception {
        int[] sizes = {8, 64, 1024};
        try (Tx shm = new ShmTx("shm-sink");
                Tx sock = new SocketTx("socket-sink");
                Tx aeron = new AeronTx("aeron-sink")) {
            for (int size : sizes) { // warm-up
                throughputRound(shm, size);
                throughputRound(sock, size);
                throughputRound(aeron, size);
            }
            for (int r = 0; r < rounds; r++) {
                for (int size : sizes) {
                    record("throughput", "wakefd-shm", size, throughputRound(shm, size), "msg/s");
                    record("line-transfer", "cpu-pair", size, lastLine, "ns");
                    record("throughput", "unix-socket", size, throughputRound(sock, size), "msg/s");
                    record("throughput", "aeron-ipc-busyspin", size, throughputRound(aeron, size), "msg/s");
                }
            }
        }
    }

    // ------------------------------------------------------------------ from idle

    /** A round trip to an echoing child. */
    interface Echo extends AutoCloseable {
        void trip(byte[] m) throws Exception;

        /** The echoing child's pid (its CPU time is what the echo costs). */
        long pid();

        @Override
        void close() throws Exception;
    }

    static final class ShmEcho implements Echo {
        final Process p;
        final ShmSender tx;
        final ShmReceiver rx;

        ShmEcho(String mode) throws Exception {
            this(mode, null);
        }

        /** {@code spinMicros}: both ends' spin before sleeping, or null for the library's default. */
        ShmEcho(String mode, String spinMicros) throws Exception {
            String name = uniqueName();
            try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
                p = mode.startsWith("py-")
                        ? python(List.of(mode, name))
                        : spinMicros == null ? child(mode, name) : child(mode, name, spinMicros);
                tx = Shm.createSender(l.accept(Duration.ofSeconds(60)), 1 << 16);
                rx = Shm.createReceiver(l.accept(Duration.ofSeconds(60)), 1 << 16);
            }
            spin(tx, rx, spinMicros);
            expect(new Lines(p).next(), "READY");
        }

        public long pid() {
            return p.pid();
        }

        public void trip(byte[] m) throws Exception {
            tx.send(m);
            if (rx.receive() == null) {
                throw new IOException("echo ended");
            }
        }

        public void close() throws Exception {
            tx.close();
            rx.close();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    /** -Dwakefd.shm.bench.spinMicros=N overrides the ends' spin before sleeping (for experiments; default: the library's). */
    static void spin(dev.wakefd.shm.ShmSender tx, dev.wakefd.shm.ShmReceiver rx, String override) {
        String v = override != null ? override : System.getProperty("wakefd.shm.bench.spinMicros");
        if (v != null) {
            tx.spinBeforeSleep(Duration.ofNanos((long) (Double.parseDouble(v) * 1000)));
            rx.spinBeforeSleep(Duration.ofNanos((long) (Double.parseDouble(v) * 1000)));
        }
    }

    /** The floor under wakefd-shm's round trip: the same two processes, two eventfds (core's signal/await), no ring. */
    static final class EventFdEcho implements Echo {
        final Process p;
        final EventFd there = EventFd.open(), back = EventFd.open();

        EventFdEcho() throws Exception {
            String name = uniqueName();
            try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
                p = child("eventfd-echo", name);
                try (FdSocket s = l.accept(Duration.ofSeconds(60))) {
                    s.send(there);
                    s.send(back);
                }
            }
            expect(new Lines(p).next(), "READY");
        }

        public long pid() {
            return p.pid();
        }

        public void trip(byte[] m) throws Exception {
            there.signal();
            back.await();
        }

        public void close() throws Exception {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            there.close();
            back.close();
        }
    }

    static final class SocketEcho implements Echo {
        final SocketTx s;
        final ByteBuffer in = ByteBuffer.allocateDirect(4 + 65536).order(java.nio.ByteOrder.LITTLE_ENDIAN);

        SocketEcho(String mode) throws Exception {
            s = new SocketTx(mode);
        }

        public long pid() {
            return s.p.pid();
        }

        public void trip(byte[] m) throws Exception {
            s.send(m);
            in.clear().limit(4 + m.length);
            while (in.hasRemaining()) {
                if (s.ch.read(in) < 0) {
                    throw new IOException("echo ended");
                }
            }
        }

        public void close() throws Exception {
            s.close();
        }
    }

    static final class AeronEcho implements Echo {
        final Process p;
        final Aeron aeron;
        final ExclusivePublication pub;
        final Subscription sub;
        final IdleStrategy idle = new BackoffIdleStrategy();
        final UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(65536));
        int got;
        final FragmentHandler h = (b, o, l, hdr) -> got++;

        AeronEcho() throws Exception {
            String dir = aeronDir();
            int stream = ++AeronTx.streams;
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            pub = aeron.addExclusivePublication("aeron:ipc", stream);
            sub = aeron.addSubscription("aeron:ipc", stream + 500);
            p = child("aeron-echo", dir, Integer.toString(stream));
            expect(new Lines(p).next(), "READY");
            while (!pub.isConnected() || !sub.isConnected()) {
                Thread.onSpinWait();
            }
        }

        public long pid() {
            return p.pid();
        }

        public void trip(byte[] m) {
            buf.putBytes(0, m);
            while (pub.offer(buf, 0, m.length) < 0) {
                Thread.onSpinWait();
            }
            got = 0;
            idle.reset();
            while (got == 0) {
                idle.idle(sub.poll(h, 1));
            }
        }

        public void close() throws Exception {
            buf.putByte(0, (byte) 2);
            while (pub.offer(buf, 0, 8) < 0) {
                Thread.onSpinWait();
            }
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
            pub.close();
            sub.close();
            aeron.close();
        }
    }

    /**
     * The wakes-from-idle channels interleaved trip by trip, then Aeron with BackoffIdleStrategy
     * on its own: its echo (and the media driver in this JVM) keep waking up between trips while
     * they back off, which keeps the CPUs out of idle for whichever channel's trip comes next and
     * would favour that one; no Aeron thread runs while the others are measured. First with every
     * thread placed by the scheduler (the figure), then beside it pinned: the requesting thread
     * and the echo process on one CPU.
     */
    void fromIdle() throws Exception {
        fromIdle(-1, -1, "from-idle", true);
        if (quick) {
            return;
        }
        if (!canPin()) {
            System.err.println("shm group: taskset not found: no pinned from-idle passes");
            return;
        }
        // Why a pinned pass: a backoff poller's park ends early when a timer interrupt of another
        // thread on its CPU fires within its timer slack, and it then runs as soon as that thread
        // yields. Sharing a CPU with the requester (whose gap ends with a timer), Aeron's echo is
        // polling when the message comes; on the other CPU it is not (AeronPlacement). The
        // scheduler picks one or the other per run; the shared CPU is shown beside, pinned.
        fromIdle(1, 1, "from-idle-1cpu", false);
    }

    /** Pins this thread to {@code self} and every echo process to {@code echo} (-1: no pinning). */
    void fromIdle(int self, int echo, String bench, boolean all) throws Exception {
        byte[] m = new byte[ROUND_TRIP_SIZE];
        closeDriver(); // the throughput part's, if it ran: its thread wakes every millisecond
        childCpu = echo;
        if (self >= 0) {
            pinThisThread(Integer.toString(self));
        }
        try {
            List<Echo> echoes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            try {
                echoes.add(new ShmEcho("shm-echo"));
                names.add("wakefd-shm");
                if (all) {
                    echoes.add(new ShmEcho("shm-echo", "0"));
                    names.add("wakefd-shm-nospin");
                }
                echoes.add(new SocketEcho("socket-echo"));
                names.add("unix-socket");
                echoes.add(new EventFdEcho());
                names.add("eventfd-only");
                roundTrips(echoes, names, m, bench, all);
            } finally {
                for (Echo e : echoes) {
                    e.close();
                }
            }
            try (Echo aeron = new AeronEcho()) {
                roundTrips(List.of(aeron), List.of("aeron-ipc-backoff"), m, bench, all);
            }
            closeDriver();
        } finally {
            childCpu = -1;
            if (self >= 0) {
                pinThisThread("0-" + (Runtime.getRuntime().availableProcessors() - 1));
            }
        }
    }

    /** The CPU every child process is pinned to (taskset -c), or -1 for none. */
    static int childCpu = -1;

    static boolean canPin() {
        try {
            return new ProcessBuilder("taskset", "-V")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start()
                            .waitFor()
                    == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Sets the calling thread's CPU affinity (taskset -p on its own thread id). */
    static void pinThisThread(String cpus) throws IOException, InterruptedException {
        String tid = Files.readSymbolicLink(Path.of("/proc/thread-self"))
                .getFileName()
                .toString();
        int rc = new ProcessBuilder("taskset", "-p", "-c", cpus, tid)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
        if (rc != 0) {
            throw new IOException("taskset -p -c " + cpus + " " + tid + " failed (exit " + rc + ")");
        }
    }

    /** Interleaved round trips after a gap: trip k of each channel, then trip k+1 of each. */
    void roundTrips(List<Echo> echoes, List<String> names, byte[] m, String bench) throws Exception {
        roundTrips(echoes, names, m, bench, true);
    }

    /** As above; {@code longGaps}: also the pass after 2 ms gaps. */
    void roundTrips(List<Echo> echoes, List<String> names, byte[] m, String bench, boolean longGaps) throws Exception {
        for (Echo e : echoes) { // warm-up: until the from-idle path is C2-compiled in both processes
            for (int w = 0; w < WARMUP_TRIPS; w++) {
                e.trip(m);
            }
        }
        roundTrips(echoes, names, m, bench, GAP_NANOS, trips);
        if (!quick && longGaps) { // the same echoes (warm), after 2 ms gaps
            roundTrips(echoes, names, m, bench + "-2ms", LONG_GAP_NANOS, trips / 6);
        }
    }

    void roundTrips(List<Echo> echoes, List<String> names, byte[] m, String bench, long gap, int trips)
            throws Exception {
        int n = echoes.size();
        long[][] rtt = new long[n][trips];
        java.util.SplittableRandom gaps = new java.util.SplittableRandom(42); // same gaps for every call
        long[] cpu0 = new long[n];
        for (int c = 0; c < n; c++) {
            cpu0[c] = cpuNanos(echoes.get(c).pid());
        }
        for (int k = 0; k < trips; k++) {
            for (int c = 0; c < n; c++) {
                LockSupport.parkNanos(gapNanos(gaps, gap)); // both sides go idle (and past their spin) before the trip
                long t0 = System.nanoTime();
                echoes.get(c).trip(m);
                rtt[c][k] = System.nanoTime() - t0;
            }
        }
        for (int c = 0; c < n; c++) {
            long[] a = rtt[c];
            Arrays.sort(a);
            record(bench + "-p10", names.get(c), m.length, a[a.length / 10] / 1e3, "us");
            record(bench + "-p50", names.get(c), m.length, a[a.length / 2] / 1e3, "us");
            record(bench + "-p90", names.get(c), m.length, a[(int) (a.length * 0.9)] / 1e3, "us");
            record(bench + "-p99", names.get(c), m.length, a[(int) (a.length * 0.99)] / 1e3, "us");
            // What the echo burned per trip, its gaps included: a reader that sleeps pays for the
            // wake and the message, a reader that polls also for every look during the gap.
            record(
                    bench + "-cpu",
                    names.get(c),
                    m.length,
                    (cpuNanos(echoes.get(c).pid()) - cpu0[c]) / 1e3 / trips,
                    "us/trip");
        }
    }

    // ------------------------------------------------------------------ idle CPU

    /**
     * The control reader of {@link #idleCpu}: a socket reader blocked in read(2) whose JVM first
     * linked wakefd's FFM downcalls, as the shm reader's does. A blocked reader's idle CPU is its
     * JVM's housekeeping wakes (monitor deflation about 4.5 a second, G1 service), and in this VM
     * each such wake costs more the more memory the process has resident ({@link IdleMemory});
     * linking FFM downcalls generates classes (heap garbage and class-parsing memory), which this
     * reader has too, without waiting through wakefd (docs/shm.md, "Idle CPU").
     */
    static final String SOCKET_WITH_FFM = "unix-socket+ffm";

    /** Anonymous resident memory of a process (RssAnon in /proc/PID/status), MB; -1 if unreadable. */
    static double rssAnonMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("RssAnon:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    /** From the readers' last message to the idle window: past the JVM's own after-start-up work (idleCpu). */
    static final long IDLE_SETTLE_MS = 8_000;

    void idleCpu() throws Exception {
        double wait = quick ? 1 : 10;
        List<String> names = List.of("wakefd-shm", "unix-socket", "aeron-ipc-backoff", SOCKET_WITH_FFM);
        List<Tx> txs = new ArrayList<>();
        try {
            txs.add(new ShmTx("shm-idle"));
            txs.add(new SocketTx("socket-idle"));
            txs.add(new AeronTx("aeron-idle"));
            txs.add(new SocketTx("socket-idle", "ffm"));
            for (Tx t : txs) {
                t.send(new byte[8]);
                expect(t.answer(), "GOT");
            }
            // Past spins, JIT activity and what follows it: a JVM hands the memory its compilers used
            // back to the OS seconds later, from its periodic task thread (seen with strace in a
            // wakefd-shm reader: one madvise(MADV_DONTNEED) of about 4 MB, 0.65 ms, a few seconds
            // after its last compilation). A window 2 s after the last message caught that one-off
            // in one reader's JVM and not in the other's (docs/shm.md, "Idle CPU").
            Thread.sleep(quick ? 1000 : IDLE_SETTLE_MS);
            // One window for all three readers, so none is measured closer to its start-up than another.
            long[] c0 = new long[txs.size()];
            List<Map<String, Long>> t0 = new ArrayList<>();
            for (int i = 0; i < txs.size(); i++) {
                c0[i] = cpuNanos(pid(txs.get(i)));
                t0.add(threadCpuNanos(pid(txs.get(i))));
            }
            long d0 = driverCpuNanos();
            Thread.sleep((long) (wait * 1000));
            long d1 = driverCpuNanos();
            for (int i = 0; i < txs.size(); i++) {
                record("idle-cpu", names.get(i), 0, (cpuNanos(pid(txs.get(i))) - c0[i]) / 1e6 / wait, "ms/s");
                record("idle-rss", names.get(i), 0, rssAnonMb(pid(txs.get(i))), "MB");
                // The same without the threads every JVM runs for itself (JIT, GC, monitor
                // deflation...): what the reader and its library cost, beside the JVM's own noise.
                Map<String, Long> t1 = threadCpuNanos(pid(txs.get(i)));
                long own = 0;
                StringBuilder each = new StringBuilder();
                for (Map.Entry<String, Long> e : t1.entrySet()) {
                    long d = e.getValue() - t0.get(i).getOrDefault(e.getKey(), 0L);
                    if (d > 0) {
                        each.append(String.format(Locale.ROOT, " %s %.3f", e.getKey(), d / 1e6 / wait));
                    }
                    if (!jvmHousekeeping(e.getKey())) {
                        own += d;
                    }
                }
                System.err.println("shm group: idle-cpu " + names.get(i) + " per thread (ms/s):" + each);
                record("idle-cpu-own", names.get(i), 0, own / 1e6 / wait, "ms/s");
            }
            // Aeron IPC needs a media driver: here embedded in this JVM (SHARED threading mode, its
            // default BackoffIdleStrategy); its thread idles beside the reader.
            record("idle-cpu", "aeron-media-driver", 0, (d1 - d0) / 1e6 / wait, "ms/s");
        } finally {
            for (Tx t : txs) {
                if (t instanceof AeronTx a) {
                    a.p.destroyForcibly();
                    a.pub.close();
                    a.aeron.close();
                } else {
                    t.close();
                }
            }
        }
    }

    /** Threads the JVM runs for itself, by their Linux names (first 15 characters). */
    static boolean jvmHousekeeping(String comm) {
        for (String p : List.of(
                "C1 ",
                "C2 ",
                "G1 ",
                "GC ",
                "VM ",
                "Monitor Deflati",
                "Service Thread",
                "Signal Dispatch",
                "Finalizer",
                "Reference Handl",
                "Notification Th",
                "Attach Listener",
                "Common-Cleaner")) {
            if (comm.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** CPU time (ns) per thread of a process, keyed "name/tid" (/proc/PID/task/TID/comm and schedstat). */
    static Map<String, Long> threadCpuNanos(long pid) {
        Map<String, Long> m = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    m.put(
                            Files.readString(t.resolve("comm")).trim() + "/" + t.getFileName(),
                            Long.parseLong(Files.readString(t.resolve("schedstat"))
                                    .trim()
                                    .split(" ")[0]));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException noProc) {
            // an empty map: the own figure reads 0
        }
        return m;
    }

    static long pid(Tx t) {
        return t instanceof ShmTx s ? s.p.pid() : t instanceof SocketTx s ? s.p.pid() : ((AeronTx) t).p.pid();
    }

    /**
     * CPU time (ns) of the embedded media driver's threads in this JVM: in SHARED threading mode
     * one agent thread named after its roles, "[sender,receiver,conductor]" (Linux keeps the
     * first 15 characters of a thread's name).
     */
    static long driverCpuNanos() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            long sum = 0;
            for (Path t : tasks.toList()) {
                try {
                    if (Files.readString(t.resolve("comm")).startsWith("[sender")) {
                        sum += Long.parseLong(
                                Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                    }
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
            return sum;
        } catch (IOException | RuntimeException noSchedstat) {
            return 0;
        }
    }

    /** CPU time of every thread of the process in ns (/proc/PID/task/TID/schedstat), else from stat in 10 ms ticks. */
    static long cpuNanos(long pid) throws IOException {
        long sum = schedstatSum(pid, 0);
        return sum >= 0 ? sum : ticksNanos(pid);
    }

    /** Time the process's threads spent runnable but waiting for a CPU, ns (0 without schedstat). */
    static long runQueueWait(long pid) {
        return Math.max(0, schedstatSum(pid, 1));
    }

    /**
     * One field of /proc/PID/task/TID/schedstat summed over the process's threads, ns (field 0:
     * time on a CPU, 1: time waiting for one); -1 if no thread's could be read.
     */
    private static long schedstatSum(long pid, int field) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            long sum = 0;
            int read = 0;
            for (Path t : tasks.toList()) {
                try {
                    sum += Long.parseLong(
                            Files.readString(t.resolve("schedstat")).trim().split(" ")[field]);
                    read++;
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
            return read > 0 ? sum : -1;
        } catch (IOException | RuntimeException noSchedstat) {
            return -1;
        }
    }

    private static LineProbe lineProbe;

    /**
     * The cache-line transfer between two CPUs right now, ns one way ({@link LineProbe}, 100,000
     * round trips: some 10 - 40 ms): the throughput rounds are compared against it.
     */
    static synchronized double lineTransferNanos() {
        if (lineProbe == null) {
            lineProbe = new LineProbe();
        }
        return lineProbe.oneWayNanos(100_000);
    }

    /** utime + stime of a process, from /proc/PID/stat (clock ticks of 10 ms on Linux: USER_HZ 100). */
    static long ticksNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    // ------------------------------------------------------------------ Python

    static String pythonDirStatic;

    static Process python(List<String> args) throws IOException {
        Path script = Path.of(pythonDirStatic)
                .resolve("../../../../wakefd-bench/src/main/python/shm_bench_peer.py")
                .normalize();
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("WAKEFD_SHM_PYTHON", pythonDirStatic);
        return pb.start();
    }

    void python() throws Exception {
        pythonDirStatic = pythonDir;
        int size = 64;
        try (Tx shm = new ShmTx("py-shm-sink");
                Tx sock = new SocketTx("py-socket-sink")) {
            throughputRound(shm, size);
            throughputRound(sock, size);
            for (int r = 0; r < rounds; r++) {
                record("java-to-python", "wakefd-shm", size, throughputRound(shm, size), "msg/s");
                record("java-to-python", "unix-socket", size, throughputRound(sock, size), "msg/s");
            }
        }
        pythonToJava(size);
        byte[] m = new byte[size];
        try (Echo shm = new ShmEcho("py-shm-echo");
                Echo sock = new SocketEcho("py-socket-echo")) {
            roundTrips(List.of(shm, sock), List.of("wakefd-shm", "unix-socket"), m, "python-from-idle");
        }
    }

    /** Python sends for `seconds`, then a stop message; this side counts. */
    void pythonToJava(int size) throws Exception {
        for (int r = 0; r < rounds + 1; r++) {
            String name = uniqueName();
            long n;
            long t0, t1;
            try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
                Process p = python(List.of("py-shm-send", name, Integer.toString(size), Double.toString(seconds)));
                try (ShmReceiver rx = Shm.acceptReceiver(l.accept(Duration.ofSeconds(60)), Duration.ofSeconds(60))) {
                    long[] c = {0};
                    boolean[] stop = {false};
                    t0 = System.nanoTime();
                    while (!stop[0]
                            && rx.receiveViews(
                                            s -> {
                                                c[0]++;
                                                if (s.get(ValueLayout.JAVA_BYTE, 0) == 1) {
                                                    stop[0] = true;
                                                }
                                            },
                                            4096)
                                    >= 0) {
                        if (c[0] == 1) {
                            t0 = System.nanoTime(); // from the first message: the child's start-up is not the channel's
                        }
                    }
                    t1 = System.nanoTime();
                    n = c[0];
                }
                p.waitFor(30, TimeUnit.SECONDS);
            }
            Path path = Path.of("/tmp", uniqueName() + ".sock");
            long sn;
            long s0, s1;
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                Process p = python(
                        List.of("py-socket-send", path.toString(), Integer.toString(size), Double.toString(seconds)));
                try (SocketChannel ch = server.accept()) {
                    long[] res = Peer.countFrames(ch, true);
                    sn = res[0];
                    s0 = res[1];
                    s1 = res[2];
                }
                p.waitFor(30, TimeUnit.SECONDS);
            } finally {
                Files.deleteIfExists(path);
            }
            if (r > 0) { // the first is warm-up
                record("python-to-java", "wakefd-shm", size, n / ((t1 - t0) / 1e9), "msg/s");
                record("python-to-java", "unix-socket", size, sn / ((s1 - s0) / 1e9), "msg/s");
            }
        }
    }

    static PrintStream out() {
        return System.out;
    }
}
