package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_LONG;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * membarrier(2), private expedited: every thread of this process that runs on some CPU passes a
 * full memory barrier before the call returns (the others pass one when they are next scheduled).
 * A fast path can then order its store before its load with no fence of its own, as long as the
 * rare other side calls {@link #privateExpedited} between its own store and load (an asymmetric
 * Dekker; see docs/design/shm-ring.md, "One thread per end"). Linux 4.14 or later; glibc has no
 * wrapper, so it goes through {@code syscall(2)}.
 */
public final class Membarrier {
    private Membarrier() {}

    // include/uapi/linux/membarrier.h
    static final long CMD_QUERY = 0;
    static final long CMD_GLOBAL_EXPEDITED = 1 << 1;
    static final long CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;
    static final long CMD_PRIVATE_EXPEDITED = 1 << 3;
    static final long CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4;

    /** The system call's number on the architectures wakefd knows (asm-generic: 283), or -1. */
    static final long SYS_MEMBARRIER = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> 324;
        case "aarch64", "riscv64" -> 283;
        default -> -1;
    };

    /** Looked up, queried and registered on first use, never by loading the outer class. */
    private static final class H {
        static final MethodHandle SYSCALL;
        /** Null if this process may use private expedited barriers, else why not. */
        static final String UNAVAILABLE;
        /** The commands the kernel supports (QUERY), 0 if unknown. */
        static final long SUPPORTED;

        static {
            MethodHandle h = null;
            String why;
            long supported = 0;
            if (Platform.posixOnly()) {
                why = "wakefd runs in " + Platform.describe();
            } else if (SYS_MEMBARRIER < 0) {
                why = "no membarrier system call number for " + System.getProperty("os.arch");
            } else {
                try {
                    h = Native.variadicDowncall(
                            "syscall", FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_LONG), 1);
                    Native.Scratch s = Native.scratch();
                    long q = call(h, s, CMD_QUERY);
                    if (q < 0) {
                        why = Errno.describe("membarrier(QUERY)", s.errno());
                    } else {
                        supported = q;
                        why = registerPrivate(h, q);
                    }
                } catch (RuntimeException e) {
                    why = e.toString();
                }
            }
            SYSCALL = h;
            UNAVAILABLE = why;
            SUPPORTED = supported;
        }

        private static String registerPrivate(MethodHandle h, long supported) {
            Native.Scratch s = Native.scratch();
            if ((supported & CMD_PRIVATE_EXPEDITED) == 0) {
                return "the kernel has no MEMBARRIER_CMD_PRIVATE_EXPEDITED";
            }
            if (call(h, s, CMD_REGISTER_PRIVATE_EXPEDITED) < 0) {
                return Errno.describe("membarrier(REGISTER_PRIVATE_EXPEDITED)", s.errno());
            }
            return null;
        }
    }

    private static long call(MethodHandle h, Native.Scratch s, long cmd) {
        try {
            return (long) h.invokeExact(s.errno, SYS_MEMBARRIER, cmd, 0L, 0L);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
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
        return H.SYSCALL != null && (H.SUPPORTED & CMD_GLOBAL_EXPEDITED) != 0;
    }

    private static final class G {
        /** Null once this process is registered for other processes' global expedited barriers, else why not. */
        static final String UNREGISTERED = registerGlobal();

        private static String registerGlobal() {
            if (!globalAvailable()) {
                return "the kernel has no MEMBARRIER_CMD_GLOBAL_EXPEDITED (or " + H.UNAVAILABLE + ")";
            }
            Native.Scratch s = Native.scratch();
            return call(H.SYSCALL, s, CMD_REGISTER_GLOBAL_EXPEDITED) < 0
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
        if (call(H.SYSCALL, s, CMD_GLOBAL_EXPEDITED) < 0) {
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
        if (call(H.SYSCALL, s, CMD_PRIVATE_EXPEDITED) < 0) {
            throw Errno.exception("membarrier(PRIVATE_EXPEDITED)", s.errno());
        }
    }
}
