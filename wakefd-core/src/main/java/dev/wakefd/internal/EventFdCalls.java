package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** eventfd(2): creating the kernel object. Reading and writing it are plain {@link FdCalls}. */
public final class EventFdCalls {
    private EventFdCalls() {}

    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = FdCalls.O_NONBLOCK;
    public static final int EFD_CLOEXEC = FdCalls.O_CLOEXEC;

    /** The largest value an eventfd counter can hold: 2^64 - 2. */
    public static final long MAX_COUNT = 0xffff_ffff_ffff_fffeL;

    private static final MethodHandle EVENTFD =
            Native.downcall("eventfd", FunctionDescriptor.of(C_INT, C_INT, C_INT), false);

    /** eventfd(initval, flags); glibc issues the eventfd2 system call. */
    public static int create(int initialValue, int flags) throws IOException {
        Native.Scratch s = Native.scratch();
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(s.errno, initialValue, flags);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (fd < 0) {
            throw Errno.exception("eventfd2", s.errno());
        }
        return fd;
    }
}
