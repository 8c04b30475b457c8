package dev.wakefd.bench.shm;

import dev.wakefd.shm.internal.Layout;
import dev.wakefd.shm.internal.Ring;
import dev.wakefd.shm.internal.SegmentMem;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where the ring's throughput goes when cache-line transfers are slow (issue 17, goal 1): the
 * real {@link Ring} on two threads of one JVM (placed by the scheduler), 64-byte messages,
 * consumer busy-polling (no sleeps, as Aeron's busy-spin sink), in variants that remove the
 * producer's per-message full fences one at a time, interleaved round by round with Aeron IPC
 * (busy spin) in the same JVM, and the line transfer measured before each round.
 *
 * <ul>
 *   <li>{@code ring}: as {@code ShmSender.send}: a CAS claim of the end, a seq-cst tail store
 *       (P1) and load of the wake word (P2), a release store to end the claim;</li>
 *   <li>{@code ring-nocas}: the same without the claim's CAS;</li>
 *   <li>{@code ring-release}: the claim's CAS, the tail published with a release store and the
 *       wake word read with an acquire load (NOT a correct wake protocol: a measurement only);</li>
 *   <li>{@code ring-release-nocas}: neither full fence (what a protocol whose sleeper pays the
 *       fence, e.g. membarrier(2), would cost per message).</li>
 * </ul>
 *
 * Counters per message: the consumer's tail loads and the producer's head loads.
 * Usage: {@code RingFences [rounds] [seconds per variant]}.
 */
public final class RingFences {
    static final int SIZE = 64, CAPACITY = 1 << 20;

    /** SegmentMem whose tail store is a release and whose wake-word load is an acquire, counting the tail/head loads. */
    static final class Variant extends SegmentMem {
        private static final VarHandle U64 = ValueLayout.JAVA_LONG.varHandle();
        final boolean release;
        long tailLoads, headLoads;

        Variant(MemorySegment s, boolean release) {
            super(s);
            this.release = release;
        }

        @Override
        public long loadVolatile(long offset) {
            if (offset == Layout.OFF_TAIL) {
                tailLoads++;
            } else if (offset == Layout.OFF_HEAD) {
                headLoads++;
            }
            if (release && offset == Layout.OFF_CONSUMER_WAKE_AT) {
                return (long) U64.getAcquire(segment(), offset);
            }
            return super.loadVolatile(offset);
        }

        @Override
        public void storeVolatile(long offset, long value) {
            if (release && offset == Layout.OFF_TAIL) {
                U64.setRelease(segment(), offset, value);
            } else {
                super.storeVolatile(offset, value);
            }
        }
    }

    volatile Thread user;
    static final VarHandle USER;

    static {
        try {
            USER = MethodHandles.lookup().findVarHandle(RingFences.class, "user", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One round of a ring variant: {msg/s, consumer tail loads per message, producer head loads per message}. */
    double[] ringRound(boolean release, boolean cas, double seconds) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment s = arena.allocate(Layout.regionSize(CAPACITY), 4096);
            s.set(ValueLayout.JAVA_LONG, Layout.OFF_CONSUMER_WAKE_AT, Layout.NONE);
            s.set(ValueLayout.JAVA_LONG, Layout.OFF_PRODUCER_WAKE_AT, Layout.NONE);
            Variant pm = new Variant(s, release), cm = new Variant(s, false);
            Ring p = new Ring(pm, CAPACITY, () -> {}, () -> {}), c = new Ring(cm, CAPACITY, () -> {}, () -> {});
            long[] got = {0};
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    long n = 0;
                    while (true) {
                        long at;
                        boolean stop = false;
                        int k = 0;
                        while ((at = c.next()) >= 0) {
                            stop |= s.get(ValueLayout.JAVA_BYTE, at) == 1;
                            c.consume();
                            k++;
                        }
                        c.publishHead();
                        n += k;
                        if (stop) {
                            break;
                        }
                        if (k == 0) {
                            Thread.onSpinWait();
                        }
                    }
                    got[0] = n;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] m = new byte[SIZE];
            long n = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
            do {
                for (int i = 0; i < 256; i++) {
                    boolean took = cas && USER.compareAndExchange(this, (Thread) null, Thread.currentThread()) == null;
                    long at;
                    while ((at = p.claim(SIZE)) < 0) {
                        Thread.onSpinWait();
                    }
                    MemorySegment.copy(m, 0, s, ValueLayout.JAVA_BYTE, at, SIZE);
                    p.commit();
                    p.publish();
                    if (took) {
                        USER.setRelease(this, (Thread) null);
                    }
                }
                n += 256;
            } while (System.nanoTime() < end);
            m[0] = 1;
            long at;
            while ((at = p.claim(SIZE)) < 0) {
                Thread.onSpinWait();
            }
            MemorySegment.copy(m, 0, s, ValueLayout.JAVA_BYTE, at, SIZE);
            p.commit();
            p.publish();
            consumer.join();
            long t1 = System.nanoTime();
            if (got[0] != n + 1) {
                throw new IllegalStateException("consumer got " + got[0] + " of " + (n + 1));
            }
            return new double[] {
                got[0] / ((t1 - t0) / 1e9), cm.tailLoads / (double) got[0], pm.headLoads / (double) got[0]
            };
        }
    }

    MediaDriver driver;
    Aeron aeron;
    int stream = 2000;

    double aeronRound(double seconds) throws Exception {
        if (driver == null) {
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .aeronDirectoryName("/dev/shm/" + ShmBench.uniqueName())
                    .threadingMode(ThreadingMode.SHARED)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .ipcTermBufferLength(8 << 20));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        }
        int st = ++stream;
        try (ExclusivePublication pub = aeron.addExclusivePublication("aeron:ipc", st);
                Subscription sub = aeron.addSubscription("aeron:ipc", st)) {
            while (!pub.isConnected() || !sub.isConnected()) {
                Thread.onSpinWait();
            }
            long[] got = {0};
            Thread consumer = Thread.ofPlatform().start(() -> {
                boolean[] stop = {false};
                long[] n = {0};
                while (!stop[0]) {
                    if (sub.poll(
                                    (b, o, l, h) -> {
                                        n[0]++;
                                        stop[0] |= b.getByte(o) == 1;
                                    },
                                    256)
                            == 0) {
                        Thread.onSpinWait();
                    }
                }
                got[0] = n[0];
            });
            UnsafeBuffer buf = new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE));
            long n = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
            do {
                for (int i = 0; i < 256; i++) {
                    while (pub.offer(buf, 0, SIZE) < 0) {
                        Thread.onSpinWait();
                    }
                }
                n += 256;
            } while (System.nanoTime() < end);
            buf.putByte(0, (byte) 1);
            while (pub.offer(buf, 0, SIZE) < 0) {
                Thread.onSpinWait();
            }
            consumer.join();
            long t1 = System.nanoTime();
            if (got[0] != n + 1) {
                throw new IllegalStateException("aeron consumer got " + got[0] + " of " + (n + 1));
            }
            return got[0] / ((t1 - t0) / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
        RingFences b = new RingFences();
        String[] names = {"ring", "ring-nocas", "ring-release", "ring-release-nocas", "aeron-busyspin"};
        Map<String, List<Double>> all = new LinkedHashMap<>();
        try {
            for (int r = -1; r < rounds; r++) { // round -1: warm-up
                double line = ShmBench.lineTransferNanos();
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "round %2d line %4.0f ns |", r, line));
                for (String v : names) {
                    double x;
                    String extra = "";
                    if (v.startsWith("aeron")) {
                        x = b.aeronRound(seconds);
                    } else {
                        double[] res = b.ringRound(v.contains("release"), !v.contains("nocas"), seconds);
                        x = res[0];
                        extra = String.format(Locale.ROOT, " (tail %.2f head %.4f /msg)", res[1], res[2]);
                    }
                    row.append(String.format(Locale.ROOT, " %s %.1f M/s %.0f ns%s |", v, x / 1e6, 1e9 / x, extra));
                    if (r >= 0) {
                        all.computeIfAbsent(v + (line > 120 ? " [slow]" : " [fast]"), k -> new ArrayList<>())
                                .add(x);
                    }
                }
                System.out.println(row);
            }
        } finally {
            if (b.aeron != null) {
                b.aeron.close();
            }
            if (b.driver != null) {
                b.driver.close();
            }
        }
        all.forEach((k, v) -> {
            double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(
                    Locale.ROOT,
                    "%-30s n=%d median %.1f M/s (min %.1f max %.1f)%n",
                    k,
                    a.length,
                    a[a.length / 2] / 1e6,
                    a[0] / 1e6,
                    a[a.length - 1] / 1e6);
        });
        System.out.println(Arrays.toString(names));
    }
}
