package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * syscall(2): the one binding for the Linux system calls glibc has no wrapper for ({@link Futex},
 * {@link Membarrier}). One function shape (a number and five longs) serves them all, so a process
 * that uses both links it once. Nothing is looked up by loading this class or in POSIX-only mode.
 */
final class Syscall {
    private Syscall() {}

    /** A system call's number here: x86_64's, or the asm-generic table's (aarch64, riscv64); -1 elsewhere. */
    static long number(long x86_64, long generic) {
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> x86_64;
            case "aarch64", "riscv64" -> generic;
            default -> -1;
        };
    }

    private static final FunctionDescriptor SHAPE =
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_LONG);

    /** The handle with errno captured, looked up on first use. */
    private static final class H {
        static final MethodHandle CALL;
        /** Null if syscall(2) was found, else why not. */
        static final String UNAVAILABLE;

        static {
            MethodHandle h = null;
            String why = null;
            try {
                h = Native.variadicDowncall("syscall", SHAPE, 1); // refused in POSIX-only mode
            } catch (RuntimeException e) {
                why = e.toString();
            }
            CALL = h;
            UNAVAILABLE = why;
        }
    }

    /** The critical twin (no errno, no thread-state transition), linked only by a caller that needs it. */
    private static final class C {
        static final MethodHandle CALL = Native.criticalVariadicDowncall("syscall", SHAPE, 1);
    }

    /**
     * Null if system call {@code nr} (named {@code name}, for the message) can be made here, else
     * why not: POSIX-only mode, an architecture without a known number, or no syscall(2).
     */
    static String unavailable(String name, long nr) {
        if (Platform.posixOnly()) {
            return "wakefd runs in " + Platform.describe();
        }
        if (nr < 0) {
            return "no " + name + " system call number for " + System.getProperty("os.arch");
        }
        return H.UNAVAILABLE;
    }

    /** syscall(nr, a..e) with errno captured into {@code s}; only after {@link #unavailable} returned null. */
    static long call(Native.Scratch s, long nr, long a, long b, long c, long d, long e) {
        try {
            return (long) H.CALL.invokeExact(s.errno, nr, a, b, c, d, e);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /**
     * syscall(nr, a..e) as a critical call without errno: only for calls that cannot block and whose
     * failure the caller does not need to tell apart; only after {@link #unavailable} returned null.
     */
    static long critical(long nr, long a, long b, long c, long d, long e) {
        try {
            return (long) C.CALL.invokeExact(nr, a, b, c, d, e);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }
}
