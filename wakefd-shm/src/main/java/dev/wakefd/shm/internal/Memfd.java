package dev.wakefd.shm.internal;

import dev.wakefd.internal.Errno;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** memfd_create(2), ftruncate(2) and file seals (fcntl F_ADD_SEALS / F_GET_SEALS). Linux only. */
public final class Memfd {
    private Memfd() {}

    public static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public static final int F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    public static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    /** The seals a region must carry: its size can never change under a mapping. */
    public static final int REQUIRED_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW;

    private static final MethodHandle MEMFD_CREATE = Native.downcall(
            "memfd_create",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            false);
    private static final MethodHandle FTRUNCATE = Native.downcall(
            "ftruncate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            false);

    /** A new memfd, close-on-exec, that accepts seals. */
    public static int create(String name) throws IOException {
        Native.Scratch s = Native.scratch();
        int fd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocateFrom(name);
            fd = (int) MEMFD_CREATE.invokeExact(s.errno, n, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        } catch (Throwable t) {
            throw new AssertionError("native downcall threw", t);
        }
        if (fd < 0) {
            throw Errno.exception("memfd_create", s.errno());
        }
        return fd;
    }

    public static void truncate(int fd, long size) throws IOException {
        Native.Scratch s = Native.scratch();
        int r;
        try {
            r = (int) FTRUNCATE.invokeExact(s.errno, fd, size);
        } catch (Throwable t) {
            throw new AssertionError("native downcall threw", t);
        }
        if (r < 0) {
            throw Errno.exception("ftruncate", s.errno());
        }
    }

    public static void addSeals(int fd, int seals) throws IOException {
        FdCalls.fcntl(fd, F_ADD_SEALS, seals);
    }

    public static int seals(int fd) throws IOException {
        return FdCalls.fcntl(fd, F_GET_SEALS, 0);
    }
}
