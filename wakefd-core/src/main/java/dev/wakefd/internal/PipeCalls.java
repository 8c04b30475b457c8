package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;
import static dev.wakefd.internal.Native.C_POINTER;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** pipe2(2): creating a pipe pair for the portable backend. Reading and writing are plain {@link FdCalls}. */
public final class PipeCalls {
    private PipeCalls() {}

    /** Null where libc has no pipe2 (macOS): the backend then says so instead of failing at class init. */
    private static final MethodHandle PIPE2 = lookup();

    private static MethodHandle lookup() {
        try {
            return Native.downcall("pipe2", FunctionDescriptor.of(C_INT, C_POINTER, C_INT), false);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** pipe2(fds, flags): returns {read end, write end}. */
    public static int[] create(int flags) throws IOException {
        if (PIPE2 == null) {
            throw new UnsupportedOperationException("the pipe backend needs pipe2(2), which this libc ("
                    + System.getProperty("os.name") + ") does not have");
        }
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) PIPE2.invokeExact(s.errno, s.word, flags); // two ints fill the 8-byte word
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception("pipe2", s.errno());
        }
        return new int[] {s.word.get(C_INT, 0), s.word.get(C_INT, 4)};
    }
}
