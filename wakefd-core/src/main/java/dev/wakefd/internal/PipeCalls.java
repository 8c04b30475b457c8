package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;
import static dev.wakefd.internal.Native.C_POINTER;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * Creating a non-blocking pipe pair for the pipe backend: pipe2(2) on Linux (flags set
 * atomically), pipe(2) then fcntl(2) in POSIX-only mode, since macOS has no pipe2. Reading and
 * writing are plain {@link FdCalls}.
 *
 * <p>In POSIX-only mode the ends are inheritable between pipe() and the F_SETFD that follows: a
 * fork+exec by another thread in that window could leak them into a child (as with the JDK's own
 * pipes on macOS). See docs/platforms.md.
 */
public final class PipeCalls {
    private PipeCalls() {}

    private static final class Pipe2 {
        static final MethodHandle PIPE2 =
                Native.downcall("pipe2", FunctionDescriptor.of(C_INT, C_POINTER, C_INT), false);
    }

    private static final class Pipe {
        static final MethodHandle PIPE = Native.downcall("pipe", FunctionDescriptor.of(C_INT, C_POINTER), false);
    }

    /** Returns {read end, write end}, both non-blocking, both close-on-exec if asked. */
    public static int[] create(boolean closeOnExec) throws IOException {
        return Platform.posixOnly()
                ? posixPipe(closeOnExec)
                : pipe2(FdCalls.O_NONBLOCK | (closeOnExec ? FdCalls.O_CLOEXEC : 0));
    }

    /** The name of the call that makes the pipe in this mode, for tests: "pipe2" or "pipe". */
    public static String call() {
        return Platform.posixOnly() ? "pipe" : "pipe2";
    }

    private static int[] pipe2(int flags) throws IOException {
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) Pipe2.PIPE2.invokeExact(s.errno, s.word, flags); // two ints fill the 8-byte word
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception("pipe2", s.errno());
        }
        return new int[] {s.word.get(C_INT, 0), s.word.get(C_INT, 4)};
    }

    private static int[] posixPipe(boolean closeOnExec) throws IOException {
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) Pipe.PIPE.invokeExact(s.errno, s.word);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception("pipe", s.errno());
        }
        int[] fds = {s.word.get(C_INT, 0), s.word.get(C_INT, 4)};
        try {
            for (int fd : fds) {
                if (closeOnExec) {
                    FdCalls.fcntl(fd, FdCalls.F_SETFD, FdCalls.FD_CLOEXEC);
                }
                int flags = FdCalls.fcntl(fd, FdCalls.F_GETFL, 0);
                FdCalls.fcntl(fd, FdCalls.F_SETFL, flags | FdCalls.O_NONBLOCK);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(fds[0], e);
            closeQuietly(fds[1], e);
            throw e;
        }
        return fds;
    }

    private static void closeQuietly(int fd, Exception cause) {
        try {
            FdCalls.close(fd);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
