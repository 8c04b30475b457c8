package dev.wakefd.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * futex(2), process-private WAIT and WAKE on a 32-bit word in native memory: the kernel primitive
 * under every blocking lock of glibc, called directly. A platform thread that sleeps here and is
 * woken by {@link #wake} skips the JDK's park path (a mutex and a condition variable around the
 * same futex): about 1.5 µs less per sleep and wake on the development VM (docs/bridge.md). glibc
 * has no wrapper, so it goes through {@link Syscall}. Interrupts do not end a futex wait: the
 * caller arranges its own wake for them (see the bridge's Sleeper).
 */
public final class Futex {
    private Futex() {}

    // include/uapi/linux/futex.h
    static final long FUTEX_WAIT_PRIVATE = 0 | 128, FUTEX_WAKE_PRIVATE = 1 | 128;

    /** The system call's number here (asm-generic: 98), or -1. */
    static final long SYS_FUTEX = Syscall.number(202, 98);

    /** Probed on first use, never by loading the outer class: null if futexes work here, else why not. */
    private static final class H {
        static final String UNAVAILABLE = probe();

        /** A wait whose word does not match must fail with EAGAIN, a wake with nobody waiting return 0. */
        private static String probe() {
            String why = Syscall.unavailable("futex", SYS_FUTEX);
            if (why != null) {
                return why;
            }
            try {
                MemorySegment word = Arena.ofAuto().allocate(4, 4);
                Native.Scratch s = Native.scratch();
                long r = Syscall.call(s, SYS_FUTEX, word.address(), FUTEX_WAIT_PRIVATE, 1L, 0L, 0L);
                if (r != -1 || s.errno() != Errno.EAGAIN) {
                    return r == -1
                            ? Errno.describe("futex(FUTEX_WAIT_PRIVATE)", s.errno())
                            : "futex(FUTEX_WAIT_PRIVATE) on a word that does not match returned " + r;
                }
                long w = Syscall.critical(SYS_FUTEX, word.address(), FUTEX_WAKE_PRIVATE, 1L, 0L, 0L);
                return w == 0 ? null : "futex(FUTEX_WAKE_PRIVATE) with nobody waiting returned " + w;
            } catch (RuntimeException | ExceptionInInitializerError e) { // a link failure, never a crash
                return e.toString();
            }
        }
    }

    /** Whether futexes work in this process (Linux, a known architecture, no seccomp refusal): probed once. */
    public static boolean available() {
        return H.UNAVAILABLE == null;
    }

    /** Why {@link #available} is false, or null. */
    public static String unavailableReason() {
        return H.UNAVAILABLE;
    }

    /** A word for {@link #wait}/{@link #wake} on a cache line of its own, with room for a timeout after it. */
    public static MemorySegment allocateWord() {
        return Arena.ofAuto().allocate(64, 64);
    }

    /** Offset of the timeout (a struct timespec) in a segment from {@link #allocateWord}. */
    private static final long TIMEOUT = 16;

    /**
     * Sleeps while the word at offset 0 of {@code word} (from {@link #allocateWord}) holds
     * {@code expected}, until a {@link #wake}, a signal, or {@code nanos} (if non-negative) pass.
     * Returns 0 when woken, or the errno: EAGAIN (the word did not hold {@code expected}),
     * ETIMEDOUT or EINTR; a caller re-checks its condition after any of them.
     *
     * @throws IllegalStateException naming the errno for any other failure (not expected once
     *     {@link #available} is true)
     */
    public static int wait(MemorySegment word, int expected, long nanos) {
        Native.Scratch s = Native.scratch();
        long timeout = 0;
        if (nanos >= 0) {
            word.set(ValueLayout.JAVA_LONG, TIMEOUT, nanos / 1_000_000_000L);
            word.set(ValueLayout.JAVA_LONG, TIMEOUT + 8, nanos % 1_000_000_000L);
            timeout = word.address() + TIMEOUT;
        }
        long r = Syscall.call(s, SYS_FUTEX, word.address(), FUTEX_WAIT_PRIVATE, expected, timeout, 0L);
        if (r == 0) {
            return 0;
        }
        int e = s.errno();
        if (e == Errno.EAGAIN || e == Errno.ETIMEDOUT || e == Errno.EINTR) {
            return e;
        }
        throw new IllegalStateException(Errno.describe("futex(FUTEX_WAIT_PRIVATE)", e));
    }

    /** Wakes one thread sleeping in {@link #wait} on {@code word}, if any. */
    public static void wake(MemorySegment word) {
        Syscall.critical(SYS_FUTEX, word.address(), FUTEX_WAKE_PRIVATE, 1L, 0L, 0L); // never blocks
    }
}
