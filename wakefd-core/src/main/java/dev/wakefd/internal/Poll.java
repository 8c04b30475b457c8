package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;
import static dev.wakefd.internal.Native.C_LONG;
import static dev.wakefd.internal.Native.C_POINTER;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * poll(2) over an array of {@code struct pollfd {int fd; short events; short revents;}}: the
 * readiness call every POSIX system has (epoll is {@link EPoll}, Linux only). The struct is the
 * same everywhere; {@code nfds_t} is not (unsigned long on Linux, unsigned int on macOS and the
 * BSDs), so the handle is made for this system's {@link Abi} size.
 */
public final class Poll {
    private Poll() {}

    public static final short POLLIN = (short) Abi.value("POLLIN"),
            POLLOUT = (short) Abi.value("POLLOUT"),
            POLLERR = (short) Abi.value("POLLERR"),
            POLLHUP = (short) Abi.value("POLLHUP"),
            POLLNVAL = (short) Abi.value("POLLNVAL");
    /** sizeof(struct pollfd) on every system wakefd knows (AbiTest checks each table says so). */
    public static final long POLLFD_SIZE = 8;
    /** Returned by {@link #poll} when a signal interrupted the call (EINTR). */
    public static final int INTERRUPTED = -1;

    private static final boolean NFDS_LONG = Abi.value("NFDS_T_SIZE") == 8;

    /** Looked up on first use, never by loading this class (see Native). */
    private static final class H {
        static final MethodHandle POLL = Native.downcall(
                "poll", FunctionDescriptor.of(C_INT, C_POINTER, NFDS_LONG ? C_LONG : C_INT, C_INT), false);
    }

    public static void set(MemorySegment fds, int i, int fd, short events) {
        long off = i * POLLFD_SIZE;
        fds.set(C_INT, off, fd);
        fds.set(ValueLayout.JAVA_SHORT, off + 4, events);
        fds.set(ValueLayout.JAVA_SHORT, off + 6, (short) 0);
    }

    public static int fd(MemorySegment fds, int i) {
        return fds.get(C_INT, i * POLLFD_SIZE);
    }

    public static short revents(MemorySegment fds, int i) {
        return fds.get(ValueLayout.JAVA_SHORT, i * POLLFD_SIZE + 6);
    }

    /**
     * Blocks the calling (platform) thread; returns the ready count, 0 on timeout, or
     * {@link #INTERRUPTED}. {@code timeoutMillis} -1 waits forever, 0 does not wait.
     */
    public static int poll(MemorySegment fds, int nfds, int timeoutMillis, MemorySegment errno) throws IOException {
        int r;
        try {
            r = NFDS_LONG
                    ? (int) H.POLL.invokeExact(errno, fds, (long) nfds, timeoutMillis)
                    : (int) H.POLL.invokeExact(errno, fds, nfds, timeoutMillis);
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
