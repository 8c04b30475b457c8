package dev.wakefd.internal;

import static dev.wakefd.internal.Native.C_INT;
import static dev.wakefd.internal.Native.C_POINTER;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * epoll(7). On x86_64 {@code struct epoll_event} is packed: a 4-byte event mask then an 8-byte
 * {@code data} at offset 4, 12 bytes in all. Other 64-bit ABIs align {@code data} to 8 (16 bytes).
 */
public final class EPoll {
    private EPoll() {}

    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001,
            EPOLLERR = 0x008,
            EPOLLHUP = 0x010,
            EPOLLONESHOT = 1 << 30,
            EPOLLET = 1 << 31;
    public static final int EPOLL_CLOEXEC = 02000000; // Linux's O_CLOEXEC: epoll is Linux-only

    private static final boolean PACKED =
            "amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"));
    public static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    /** Looked up on first use, never by loading this class (see Native); create() checks the platform first. */
    private static final class H {
        static final MethodHandle CREATE = Native.downcall("epoll_create1", FunctionDescriptor.of(C_INT, C_INT), false);
        static final MethodHandle CTL =
                Native.downcall("epoll_ctl", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER), false);
        static final MethodHandle WAIT =
                Native.downcall("epoll_wait", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT), false);
    }

    public static int create() throws IOException {
        Platform.requireLinux("epoll(7)");
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) H.CREATE.invokeExact(s.errno, EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0) {
            throw Errno.exception("epoll_create1", s.errno());
        }
        return r;
    }

    /** epoll_ctl; {@code event} is a caller-owned EVENT_SIZE segment used as scratch. Returns errno or 0. */
    public static int ctl(int epfd, int op, int fd, int events, long data, MemorySegment event) {
        event.set(C_INT, 0, events);
        event.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) H.CTL.invokeExact(s.errno, epfd, op, fd, event);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return r < 0 ? s.errno() : 0;
    }

    /** Blocks in epoll_wait; returns the number of events, or -1 on EINTR. */
    public static int await(int epfd, MemorySegment events, int max, int timeoutMillis, MemorySegment errno)
            throws IOException {
        int r;
        try {
            r = (int) H.WAIT.invokeExact(errno, epfd, events, max, timeoutMillis);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0) {
            int e = Native.errnoOf(errno);
            if (e == Errno.EINTR) {
                return -1;
            }
            throw Errno.exception("epoll_wait", e);
        }
        return r;
    }

    public static int events(MemorySegment events, int i) {
        return events.get(C_INT, i * EVENT_SIZE);
    }

    public static long data(MemorySegment events, int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET);
    }
}
