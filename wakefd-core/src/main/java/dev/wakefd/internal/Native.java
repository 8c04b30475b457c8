package dev.wakefd.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The one place that talks to the native linker: symbol lookup, downcall handles with errno
 * capture, and a per-thread scratch area so that a system call allocates nothing.
 *
 * <p>Every handle made by {@link #downcall} takes the errno capture segment as its first argument
 * (the FFM convention); callers pass {@link Scratch#errno} of the calling thread.
 *
 * <p>Invariant: every symbol is looked up through {@link #find}, which records it and asks
 * {@link Platform} first, and only on first use, never by loading a class (docs/platforms.md).
 */
public final class Native {
    private Native() {}

    static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** Whether this platform has the Linux system calls wakefd binds. */
    public static final boolean IS_LINUX =
            System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");

    /** Every symbol name looked up in this JVM (refused ones are not), in order of first lookup; for tests. */
    private static final Set<String> LOOKED_UP = Collections.synchronizedSet(new LinkedHashSet<>());

    /**
     * The one symbol lookup: records the name, refuses what {@link Platform} does not allow in
     * this mode, then asks libc. Callers look up lazily (in holder classes or on first call), so
     * loading a class looks up nothing.
     */
    static MemorySegment find(String name) {
        Platform.checkSymbol(name);
        LOOKED_UP.add(name);
        return LINKER.defaultLookup()
                .find(name)
                .orElseThrow(() -> new UnsupportedOperationException(
                        "libc has no symbol " + name + " (" + System.getProperty("os.name") + ")"));
    }

    /** The symbols looked up so far in this JVM (refused ones throw and are not recorded); for tests. */
    public static Set<String> symbolsLookedUp() {
        synchronized (LOOKED_UP) {
            return Set.copyOf(LOOKED_UP);
        }
    }

    /**
     * A downcall handle for a libc function, with errno captured. {@code critical} handles skip
     * the thread-state transition; only use them for calls that cannot block (non-blocking fds).
     * Public for wakefd's own modules (this package is exported only to them), so that every
     * downcall is made here.
     *
     * @throws UnsupportedOperationException if libc has no such symbol or this mode refuses it
     */
    public static MethodHandle downcall(String name, FunctionDescriptor fd, boolean critical) {
        MemorySegment symbol = find(name);
        Linker.Option capture = Linker.Option.captureCallState("errno");
        return critical
                ? LINKER.downcallHandle(symbol, fd, capture, Linker.Option.critical(false))
                : LINKER.downcallHandle(symbol, fd, capture);
    }

    /**
     * {@link #downcall} for a variadic C function such as {@code fcntl(int, int, ...)}: arguments
     * from index {@code firstVariadic} on are passed as variadic ones, which on macOS arm64 go on
     * the stack, not in registers (a fixed-argument handle would pass garbage there).
     */
    static MethodHandle variadicDowncall(String name, FunctionDescriptor fd, int firstVariadic) {
        return LINKER.downcallHandle(
                find(name), fd, Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** {@link #variadicDowncall} without errno capture and critical: for a variadic call that cannot block. */
    static MethodHandle criticalVariadicDowncall(String name, FunctionDescriptor fd, int firstVariadic) {
        return LINKER.downcallHandle(
                find(name), fd, Linker.Option.firstVariadicArg(firstVariadic), Linker.Option.critical(false));
    }

    /**
     * A critical downcall handle without errno capture, for calls that cannot block and whose
     * only possible failure is known in advance (see {@link FdCalls#read8Critical}).
     */
    static MethodHandle criticalDowncall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(find(name), fd, Linker.Option.critical(false));
    }

    /** A downcall handle without errno capture, for functions that cannot fail. */
    static MethodHandle plainDowncall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(find(name), fd);
    }

    /**
     * Per-thread native scratch: an 8-byte word for read/write buffers and the errno capture
     * area. Allocated once per thread (virtual threads included) and freed by the GC with it.
     * A scratch is only used between entering and leaving one system call wrapper on its own
     * thread, so it is never shared.
     */
    public static final class Scratch {
        public final MemorySegment word;
        public final MemorySegment errno;

        private Scratch() {
            MemorySegment all = Arena.ofAuto().allocate(16 + CAPTURE.byteSize(), 8);
            word = all.asSlice(0, 8);
            errno = all.asSlice(16, CAPTURE.byteSize());
        }

        public int errno() {
            return (int) ERRNO.get(errno, 0L);
        }
    }

    /** Reads errno from a capture segment of {@link #captureSize()} bytes. */
    public static int errnoOf(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    public static long captureSize() {
        return CAPTURE.byteSize();
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    public static Scratch scratch() {
        return SCRATCH.get();
    }

    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /** Turns a checked-exception-free invokeExact failure into an Error; downcalls never throw. */
    static AssertionError unexpected(Throwable t) {
        return new AssertionError("native downcall threw", t);
    }
}
