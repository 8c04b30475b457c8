package dev.wakefd.bench.shm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Two measurements behind the idle-CPU figures of {@link ShmBench} (docs/shm.md, "Idle CPU").
 *
 * <ul>
 *   <li>{@code IdleMemory wakes MB...}: one idle JVM per argument, each holding that many MB of
 *       touched heap and otherwise only sleeping; after 8 s, 10 s of their monitor-deflation
 *       threads (the JVM's own housekeeping wake, about 4.5 a second): CPU per second and per wake.
 *   <li>{@code IdleMemory link}: the heap one thread allocates to link FFM downcall handles: the
 *       first, another with the same function shape, two of new shapes, and their first calls.
 * </ul>
 */
public final class IdleMemory {
    /** Keeps a child's memory reachable. */
    static byte[][] held;

    public static void main(String[] args) throws Throwable {
        switch (args[0]) {
            case "hold" -> {
                int mb = Integer.parseInt(args[1]);
                held = new byte[mb][];
                for (int i = 0; i < mb; i++) {
                    held[i] = new byte[1 << 20];
                    java.util.Arrays.fill(held[i], (byte) 1);
                }
                System.out.println("READY");
                Thread.sleep(Long.MAX_VALUE);
            }
            case "wakes" -> wakes(args);
            case "link" -> link();
            default -> throw new IllegalArgumentException("usage: IdleMemory wakes MB... | IdleMemory link");
        }
    }

    static void wakes(String[] args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<Process> ps = new ArrayList<>();
        try {
            for (int i = 1; i < args.length; i++) {
                Process p = new ProcessBuilder(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                IdleMemory.class.getName(),
                                "hold",
                                args[i])
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                ps.add(p);
                p.inputReader().readLine(); // READY
            }
            Thread.sleep(8_000);
            long[][] a = new long[ps.size()][];
            for (int i = 0; i < ps.size(); i++) {
                a[i] = deflation(ps.get(i).pid());
            }
            Thread.sleep(10_000);
            for (int i = 0; i < ps.size(); i++) {
                long[] b = deflation(ps.get(i).pid());
                long wakes = Math.max(1, b[1] - a[i][1]);
                System.out.printf(
                        Locale.ROOT,
                        "holding %4s MB: RssAnon %4.0f MB, monitor deflation %.3f ms/s, %d wakes, %.0f µs per wake%n",
                        args[i + 1],
                        ShmBench.rssAnonMb(ps.get(i).pid()),
                        (b[0] - a[i][0]) / 1e6 / 10,
                        wakes,
                        (b[0] - a[i][0]) / 1e3 / wakes);
            }
        } finally {
            ps.forEach(Process::destroyForcibly);
        }
    }

    /** CPU ns and wake count (schedstat fields 1 and 3) of the process's monitor-deflation thread. */
    static long[] deflation(long pid) throws Exception {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                if (Files.readString(t.resolve("comm")).startsWith("Monitor Deflati")) {
                    String[] f = Files.readString(t.resolve("schedstat")).trim().split(" ");
                    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[2])};
                }
            }
        }
        throw new IllegalStateException("no monitor deflation thread in process " + pid);
    }

    static void link() throws Throwable {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Linker l = Linker.nativeLinker();
        SymbolLookup libc = l.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        FunctionDescriptor intOfInt = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        long t0 = threads.getCurrentThreadAllocatedBytes();
        var close = l.downcallHandle(libc.find("close").orElseThrow(), intOfInt, errno);
        long t1 = threads.getCurrentThreadAllocatedBytes();
        l.downcallHandle(libc.find("dup").orElseThrow(), intOfInt, errno);
        long t2 = threads.getCurrentThreadAllocatedBytes();
        l.downcallHandle(
                libc.find("read").orElseThrow(),
                FunctionDescriptor.of(
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                errno);
        long t3 = threads.getCurrentThreadAllocatedBytes();
        l.downcallHandle(
                libc.find("eventfd").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                errno);
        long t4 = threads.getCurrentThreadAllocatedBytes();
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var state = arena.allocate(Linker.Option.captureStateLayout());
            int r = (int) close.invokeExact(state, -1);
            long t5 = threads.getCurrentThreadAllocatedBytes();
            System.out.printf(
                    Locale.ROOT,
                    "FFM link, heap allocated: first handle %d KB, same shape %d KB, new shape %d KB, another new"
                            + " shape %d KB, its first call %d KB (close(-1) = %d)%n",
                    (t1 - t0) >> 10,
                    (t2 - t1) >> 10,
                    (t3 - t2) >> 10,
                    (t4 - t3) >> 10,
                    (t5 - t4) >> 10,
                    r);
        }
    }

    private IdleMemory() {}
}
