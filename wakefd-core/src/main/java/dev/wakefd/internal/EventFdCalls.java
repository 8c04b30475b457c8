package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** eventfd(2): creating the kernel object. Reading and writing it are plain {@link FdCalls}. */
public final class EventFdCalls {
    private EventFdCalls() {}

    public static final int EFD_SEMAPHORE = 1;
    // Linux-only facility, so Linux's numbers (asm-generic/fcntl.h O_NONBLOCK, O_CLOEXEC).
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;

    /** The largest value an eventfd counter can hold: 2^64 - 2. */
    public static final long MAX_COUNT = 0xffff_ffff_ffff_fffeL;

    /** Looked up on first use, never by loading this class (see Native). */
    private static final class H {
        static final MethodHandle EVENTFD =
                Native.downcall("eventfd", FunctionDescriptor.of(C_INT, C_INT, C_INT), false);
    }

    /** eventfd(initval, flags); glibc issues the eventfd2 system call. */
    public static int create(int initialValue, int flags) throws IOException {
        Platform.requireLinux("eventfd(2)");
        Native.Scratch s = Native.scratch();
        int fd;
        try {
            fd = (int) H.EVENTFD.invokeExact(s.errno, initialValue, flags);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (fd < 0) {
            throw Errno.exception("eventfd2", s.errno());
        }
        return fd;
    }
}
