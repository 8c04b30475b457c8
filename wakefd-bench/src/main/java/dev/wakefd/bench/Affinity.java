package dev.wakefd.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pins the calling thread to one CPU with sched_setaffinity(2), so that a two-thread benchmark
 * runs its two threads on two CPUs of their own, the same way for every channel it compares.
 * Best effort: on a machine with fewer CPUs, or if the call fails, the thread stays unpinned.
 */
final class Affinity {
    private Affinity() {}

    private static final MethodHandle SET = Linker.nativeLinker()
            .downcallHandle(
                    Linker.nativeLinker()
                            .defaultLookup()
                            .find("sched_setaffinity")
                            .orElseThrow(),
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    /**
     * The CPUs the process may use, counted once: the JDK counts them per calling thread (its
     * affinity mask), and a thread started by an already pinned thread inherits that one CPU.
     */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    /** Whether there are CPUs enough to give each of two threads its own. */
    static boolean twoCpus() {
        return CPUS >= 2;
    }

    /** Pins the calling thread to {@code cpu}; returns whether it worked. */
    static boolean pin(int cpu) {
        if (!twoCpus() || Thread.currentThread().isVirtual()) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(128, 8); // cpu_set_t: 1024 bits
            set.set(ValueLayout.JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            return (int) SET.invokeExact(0, 128L, set) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
