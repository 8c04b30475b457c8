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

        static {
            MethodHandle h = null;
            String why;
            if (Platform.posixOnly()) {
                why = "wakefd runs in " + Platform.describe();
            } else if (SYS_MEMBARRIER < 0) {
                why = "no membarrier system call number for " + System.getProperty("os.arch");
            } else {
                try {
                    h = Native.variadicDowncall(
                            "syscall", FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_LONG), 1);
                    why = register(h);
                } catch (RuntimeException e) {
                    why = e.toString();
                }
            }
            SYSCALL = h;
            UNAVAILABLE = why;
        }

        private static String register(MethodHandle h) {
            Native.Scratch s = Native.scratch();
            long supported = call(h, s, CMD_QUERY);
            if (supported < 0) {
                return Errno.describe("membarrier(QUERY)", s.errno());
            }
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
