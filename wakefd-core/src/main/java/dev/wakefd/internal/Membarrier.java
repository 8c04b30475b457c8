package dev.wakefd.internal;

import java.io.IOException;

/**
 * membarrier(2), private expedited: every thread of this process that runs on some CPU passes a
 * full memory barrier before the call returns (the others pass one when they are next scheduled).
 * A fast path can then order its store before its load with no fence of its own, as long as the
 * rare other side calls {@link #privateExpedited} between its own store and load (an asymmetric
 * Dekker; see docs/design/shm-ring.md, "One thread per end"). Linux 4.14 or later; glibc has no
 * wrapper, so it goes through {@link Syscall}.
 */
public final class Membarrier {
    private Membarrier() {}

    // include/uapi/linux/membarrier.h
    static final long CMD_QUERY = 0;
    static final long CMD_GLOBAL_EXPEDITED = 1 << 1;
    static final long CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;
    static final long CMD_PRIVATE_EXPEDITED = 1 << 3;
    static final long CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    /** The system call's number here (asm-generic: 283), or -1. */
    static final long SYS_MEMBARRIER = Syscall.number(324, 283);

    /** Queried and registered on first use, never by loading the outer class. */
    private static final class H {
        /** The commands the kernel supports (QUERY), 0 if unknown or unavailable. */
        static final long SUPPORTED;
        /** Null if this process may use private expedited barriers, else why not. */
        static final String UNAVAILABLE;

        static {
            long supported = 0;
            String why = Syscall.unavailable("membarrier", SYS_MEMBARRIER);
            if (why == null) {
                try {
                    Native.Scratch s = Native.scratch();
                    long q = call(s, CMD_QUERY);
                    if (q < 0) {
                        why = Errno.describe("membarrier(QUERY)", s.errno());
                    } else {
                        supported = q;
                        why = registerPrivate(q);
                    }
                } catch (RuntimeException e) {
                    why = e.toString();
                }
            }
            SUPPORTED = supported;
            UNAVAILABLE = why;
        }

        private static String registerPrivate(long supported) {
            Native.Scratch s = Native.scratch();
            if ((supported & CMD_PRIVATE_EXPEDITED) == 0) {
                return "the kernel has no MEMBARRIER_CMD_PRIVATE_EXPEDITED";
            }
            if (call(s, CMD_REGISTER_PRIVATE_EXPEDITED) < 0) {
                return Errno.describe("membarrier(REGISTER_PRIVATE_EXPEDITED)", s.errno());
            }
            return null;
        }
    }

    private static long call(Native.Scratch s, long cmd) {
        return Syscall.call(s, SYS_MEMBARRIER, cmd, 0L, 0L, 0L, 0L);
    }

    /**
     * Whether {@link #privateExpedited} works in this process: queried and registered once, on the
     * first call (a few µs). False on other systems, old kernels, or where a seccomp filter refuses it.
     */
    public static boolean available() {
        return H.UNAVAILABLE == null;
    }

    /** Why {@link #available} is false, or null. */
    public static String unavailableReason() {
        return H.UNAVAILABLE;
    }

    /**
     * Whether {@link #globalExpedited} works here (the kernel supports it): a process that wants
     * other processes' barriers to reach it must also {@link #registerGlobalExpedited register}.
     */
    public static boolean globalAvailable() {
        return (H.SUPPORTED & CMD_GLOBAL_EXPEDITED) != 0;
    }

    private static final class G {
        /** Null once this process is registered for other processes' global expedited barriers, else why not. */
        static final String UNREGISTERED = registerGlobal();

        private static String registerGlobal() {
            if (!globalAvailable()) {
                return "the kernel has no MEMBARRIER_CMD_GLOBAL_EXPEDITED (or " + H.UNAVAILABLE + ")";
            }
            Native.Scratch s = Native.scratch();
            return call(s, CMD_REGISTER_GLOBAL_EXPEDITED) < 0
                    ? Errno.describe("membarrier(REGISTER_GLOBAL_EXPEDITED)", s.errno())
                    : null;
        }
    }

    /**
     * Registers this process, once, so that {@link #globalExpedited} calls of any process reach
     * its threads; true if it is registered.
     */
    public static boolean registerGlobalExpedited() {
        return G.UNREGISTERED == null;
    }

    /**
     * Makes every running thread of every process registered with {@link #registerGlobalExpedited}
     * pass a full memory barrier before this returns (a few µs; more with interrupts to other CPUs).
     *
     * @throws IOException naming the errno if the call fails (or if {@link #globalAvailable} is false)
     */
    public static void globalExpedited() throws IOException {
        if (!globalAvailable()) {
            throw new IOException("membarrier(GLOBAL_EXPEDITED) unavailable: " + H.UNAVAILABLE);
        }
        Native.Scratch s = Native.scratch();
        if (call(s, CMD_GLOBAL_EXPEDITED) < 0) {
            throw Errno.exception("membarrier(GLOBAL_EXPEDITED)", s.errno());
        }
    }

    /**
     * Makes every running thread of this process pass a full memory barrier before this returns:
     * about 1 µs, or tens of µs when another thread of the process runs (an inter-processor
     * interrupt; in a VM, an exit to the hypervisor).
     *
     * @throws IOException naming the errno if the call fails (or if {@link #available} is false)
     */
    public static void privateExpedited() throws IOException {
        if (H.UNAVAILABLE != null) {
            throw new IOException("membarrier(PRIVATE_EXPEDITED) unavailable: " + H.UNAVAILABLE);
        }
        Native.Scratch s = Native.scratch();
        if (call(s, CMD_PRIVATE_EXPEDITED) < 0) {
            throw Errno.exception("membarrier(PRIVATE_EXPEDITED)", s.errno());
        }
    }
}
