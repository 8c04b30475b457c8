package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;
import static dev.wakefd.internal.Native.C_LONG;
import static dev.wakefd.internal.Native.C_POINTER;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * read(2), write(2), close(2), fcntl(2) (all POSIX) and dup3(2) (Linux) on raw fd numbers. No policy: callers own the
 * fd and guarantee it is open for the duration of the call.
 *
 * <p>{@code read8}/{@code write8} move one 8-byte word, the unit of an eventfd, through the calling
 * thread's scratch word, so they allocate nothing. The {@code Critical} variants skip the
 * Java-to-native thread transition and errno capture; they are only for eventfds this JVM made
 * non-blocking and never shared, admitted as short calls by {@link FdGuard} (a blocked critical
 * call would stall every safepoint).
 */
public final class FdCalls {
    private FdCalls() {}

    /** Returned by {@link #read8} and {@link #write8} when the kernel says EAGAIN. */
    public static final long WOULD_BLOCK = -1;

    private static final FunctionDescriptor RW = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG);
    /** The word signal() writes, shared by every thread: the kernel only reads it. */
    private static final MemorySegment ONE = java.lang.foreign.Arena.global().allocate(C_LONG);

    static {
        ONE.set(C_LONG, 0, 1L);
    }

    /** The POSIX handles, looked up on first use (loading FdCalls looks up nothing; see Native). */
    private static final class H {
        static final MethodHandle READ = Native.downcall("read", RW, false);
        static final MethodHandle WRITE = Native.downcall("write", RW, false);
        static final MethodHandle READ_CRITICAL = Native.criticalDowncall("read", RW);
        static final MethodHandle WRITE_CRITICAL = Native.criticalDowncall("write", RW);
        static final MethodHandle CLOSE = Native.downcall("close", FunctionDescriptor.of(C_INT, C_INT), false);
        /** fcntl(int, int, ...): the third argument is variadic. */
        static final MethodHandle FCNTL =
                Native.variadicDowncall("fcntl", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT), 2);
    }

    /** dup3(2) is Linux (and BSD) only, not POSIX: its own holder, looked up only when used. */
    private static final class Dup3 {
        static final MethodHandle DUP3 =
                Native.downcall("dup3", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT), false);
    }

    // This system's values (Abi); -1 where wakefd has no table, which open() refuses first.
    public static final int F_DUPFD_CLOEXEC = Abi.value("F_DUPFD_CLOEXEC"),
            F_GETFD = Abi.value("F_GETFD"),
            F_SETFD = Abi.value("F_SETFD"),
            F_GETFL = Abi.value("F_GETFL"),
            F_SETFL = Abi.value("F_SETFL");
    public static final int FD_CLOEXEC = Abi.value("FD_CLOEXEC");
    public static final int O_NONBLOCK = Abi.value("O_NONBLOCK"), O_CLOEXEC = Abi.value("O_CLOEXEC");

    /**
     * Reads one 8-byte word: an unsigned 64-bit value, so possibly negative as a long. Returns
     * {@link #WOULD_BLOCK} (all ones) on EAGAIN, which is unambiguous for an eventfd: its counter
     * never exceeds 0xfffffffffffffffe.
     */
    public static long read8(int fd, String call) throws IOException {
        Native.Scratch s = Native.scratch();
        long r = transfer(H.READ, s, fd, s.word, 8L);
        if (r == 8) {
            return s.word.get(C_LONG, 0);
        }
        return failedTransfer(r, s, call);
    }

    /** Writes one 8-byte word. Returns 8, or {@link #WOULD_BLOCK} on EAGAIN. */
    public static long write8(int fd, long value, String call) throws IOException {
        Native.Scratch s = Native.scratch();
        s.word.set(C_LONG, 0, value);
        long r = transfer(H.WRITE, s, fd, s.word, 8L);
        return r == 8 ? 8 : failedTransfer(r, s, call);
    }

    /**
     * {@link #read8} as a critical call without errno capture (about 5 ns less, see
     * FfmFloorBench). Only for an open eventfd that is non-blocking and whose description nobody
     * else holds, as the guard's short calls are: then read(2) of 8 bytes into our own word can
     * fail only with EAGAIN (EBADF: the guard keeps the fd open; EFAULT, EINVAL: the buffer is
     * ours and 8 bytes long; EINTR: nothing blocks), so -1 means EAGAIN without asking errno.
     */
    public static long read8Critical(int fd, String call) throws IOException {
        MemorySegment word = Native.scratch().word;
        long r;
        try {
            r = (long) H.READ_CRITICAL.invokeExact(fd, word, 8L);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r == 8) {
            return word.get(C_LONG, 0);
        }
        return r == -1 ? WOULD_BLOCK : shortTransfer(r, call);
    }

    /**
     * {@link #write8} as a critical call without errno capture, under the same conditions as
     * {@link #read8Critical}; write(2) can then fail only with EAGAIN (the value would pass
     * 2^64-2; EINVAL needs the value 2^64-1, which a positive long is not).
     */
    public static long write8Critical(int fd, long value, String call) throws IOException {
        MemorySegment word = ONE;
        if (value != 1) {
            word = Native.scratch().word;
            word.set(C_LONG, 0, value);
        }
        long r;
        try {
            r = (long) H.WRITE_CRITICAL.invokeExact(fd, word, 8L);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return r == 8 ? 8 : r == -1 ? WOULD_BLOCK : shortTransfer(r, call);
    }

    private static long shortTransfer(long r, String call) throws IOException {
        throw new IOException(call + ": returned " + r + ", expected 8 or -1 (EAGAIN)");
    }

    private static long failedTransfer(long r, Native.Scratch s, String call) throws IOException {
        if (r < 0) {
            return countOrEagain(r, s, call); // WOULD_BLOCK is -1, the EAGAIN answer
        }
        throw new IOException(call + ": transferred " + r + " bytes, expected 8");
    }

    /** Reads up to {@code len} bytes into {@code buf}; returns the count, or -1 on EAGAIN. */
    public static long read(int fd, MemorySegment buf, long len, Native.Scratch s, String call) throws IOException {
        return countOrEagain(transfer(H.READ, s, fd, buf, len), s, call);
    }

    /** Writes up to {@code len} bytes from {@code buf}; returns the count, or -1 on EAGAIN. */
    public static long write(int fd, MemorySegment buf, long len, Native.Scratch s, String call) throws IOException {
        return countOrEagain(transfer(H.WRITE, s, fd, buf, len), s, call);
    }

    /**
     * close(2). Linux releases the fd number even when close reports EINTR or EIO, so the number
     * must never be closed again whatever this returns; errors are reported, not retried.
     */
    public static void close(int fd) throws IOException {
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) H.CLOSE.invokeExact(s.errno, fd);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0 && s.errno() != Errno.EINTR) {
            throw Errno.exception("close", s.errno());
        }
    }

    public static int fcntl(int fd, int cmd, int arg) throws IOException {
        return intCall(H.FCNTL, fd, cmd, arg, "fcntl");
    }

    /** A new fd number for the same open file description, close-on-exec, lowest free number. */
    public static int dupCloexec(int fd) throws IOException {
        return intCall(H.FCNTL, fd, F_DUPFD_CLOEXEC, 0, "fcntl(F_DUPFD_CLOEXEC)");
    }

    /** dup3(2): makes {@code newFd} refer to {@code oldFd}'s description, atomically. */
    public static void dup3(int oldFd, int newFd, int flags) throws IOException {
        Platform.requireLinux("dup3");
        intCall(Dup3.DUP3, oldFd, newFd, flags, "dup3");
    }

    /** read(2) or write(2) through {@code h}, errno captured in {@code s}. */
    private static long transfer(MethodHandle h, Native.Scratch s, int fd, MemorySegment buf, long len) {
        try {
            return (long) h.invokeExact(s.errno, fd, buf, len);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** A byte count, -1 for EAGAIN, or the errno as an IOException. */
    private static long countOrEagain(long r, Native.Scratch s, String call) throws IOException {
        if (r >= 0) {
            return r;
        }
        int errno = s.errno();
        if (errno == Errno.EAGAIN) {
            return -1;
        }
        throw Errno.exception(call, errno);
    }

    /** A call of shape {@code int f(int, int, int)} that returns -1 and sets errno on failure. */
    private static int intCall(MethodHandle h, int a, int b, int c, String call) throws IOException {
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) h.invokeExact(s.errno, a, b, c);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception(call, s.errno());
        }
        return r;
    }
}
