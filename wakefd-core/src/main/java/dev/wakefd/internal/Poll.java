package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;
import static dev.wakefd.internal.Native.C_LONG;
import static dev.wakefd.internal.Native.C_POINTER;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** poll(2) over an array of {@code struct pollfd {int fd; short events; short revents;}}. */
public final class Poll {
    private Poll() {}

    public static final short POLLIN = 0x001, POLLERR = 0x008, POLLHUP = 0x010, POLLNVAL = 0x020;
    public static final long POLLFD_SIZE = 8;
    /** Returned by {@link #poll} when a signal interrupted the call (EINTR). */
    public static final int INTERRUPTED = -1;

    private static final MethodHandle POLL = Native.downcall("poll",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT), false);

    public static void set(MemorySegment fds, int i, int fd, short events) {
        long off = i * POLLFD_SIZE;
        fds.set(C_INT, off, fd);
        fds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, off + 4, events);
        fds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, off + 6, (short) 0);
    }

    public static short revents(MemorySegment fds, int i) {
        return fds.get(java.lang.foreign.ValueLayout.JAVA_SHORT, i * POLLFD_SIZE + 6);
    }

    /** Blocks the calling (platform) thread; returns the ready count, 0 on timeout, or {@link #INTERRUPTED}. */
    public static int poll(MemorySegment fds, int nfds, int timeoutMillis, MemorySegment errno)
            throws IOException {
        int r;
        try {
            r = (int) POLL.invokeExact(errno, fds, (long) nfds, timeoutMillis);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0) {
            int e = Native.errnoOf(errno);
            if (e == Errno.EINTR) {
                return INTERRUPTED;
            }
            throw Errno.exception("poll", e);
        }
        return r;
    }
}
