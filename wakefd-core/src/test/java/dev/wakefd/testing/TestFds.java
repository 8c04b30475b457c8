package dev.wakefd.testing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** Raw fd helpers for tests: make foreign fds, inspect /proc. Independent of the code under test. */
public final class TestFds {
    private TestFds() {}

    private static final Linker L = Linker.nativeLinker();

    private static MethodHandle h(String name, FunctionDescriptor d) {
        return L.downcallHandle(L.defaultLookup().find(name).orElseThrow(), d);
    }

    private static final MethodHandle EVENTFD =
            h("eventfd", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle PIPE2 =
            h("pipe2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE =
            h("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle FCNTL =
            h("fcntl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE = h(
            "write",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    public static final int EFD_SEMAPHORE = 1, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;

    /** A raw eventfd as a native library would make it (blocking unless flags say otherwise). */
    public static int rawEventFd(int initial, int flags) throws Throwable {
        int fd = (int) EVENTFD.invokeExact(initial, flags);
        if (fd < 0) throw new IOException("eventfd failed");
        return fd;
    }

    public static int[] pipe() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(8);
            if ((int) PIPE2.invokeExact(fds, O_CLOEXEC) != 0) throw new IOException("pipe2 failed");
            return new int[] {fds.get(ValueLayout.JAVA_INT, 0), fds.get(ValueLayout.JAVA_INT, 4)};
        }
    }

    /** Writes a raw 8-byte value, as a foreign writer would. Returns write's result. */
    public static long rawWrite(int fd, long value) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8);
            buf.set(ValueLayout.JAVA_LONG, 0, value);
            return (long) WRITE.invokeExact(fd, buf, 8L);
        }
    }

    private static final MethodHandle READ = h(
            "read",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    /** Reads whatever a (blocking) pipe holds right now, up to 4 KiB. */
    public static long drainPipe(int fd) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            return (long) READ.invokeExact(fd, a.allocate(4096), 4096L);
        }
    }

    public static void close(int fd) throws Throwable {
        int r = (int) CLOSE.invokeExact(fd);
    }

    public static int statusFlags(int fd) throws Throwable {
        return (int) FCNTL.invokeExact(fd, 3 /* F_GETFL */);
    }

    public static int fdFlags(int fd) throws Throwable {
        return (int) FCNTL.invokeExact(fd, 1 /* F_GETFD */);
    }

    public static String target(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    public static boolean isEventFd(int fd) {
        return "anon_inode:[eventfd]".equals(target(fd));
    }

    /** Whether fd is open as this run's backend makes signals: an eventfd, or a pipe's read end. */
    public static boolean isSignalFd(int fd) {
        String t = target(fd);
        return TestBackend.isPipe() ? t != null && t.startsWith("pipe:") : "anon_inode:[eventfd]".equals(t);
    }

    /** Whether fd polls readable right now (poll with a zero timeout). */
    public static boolean readable(int fd) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) 1 /* POLLIN */);
            int r = (int) POLL.invokeExact(pfd, 1L, 0);
            if (r < 0) throw new IOException("poll failed");
            return (pfd.get(ValueLayout.JAVA_SHORT, 6) & 1) != 0;
        }
    }

    private static final MethodHandle POLL = h(
            "poll",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    /** The kernel's own count for an eventfd, from /proc/self/fdinfo (hex). */
    public static long kernelCount(int fd) throws IOException {
        return Long.parseUnsignedLong(fdinfo(fd).get("eventfd-count"), 16);
    }

    public static Map<String, String> fdinfo(int fd) throws IOException {
        Map<String, String> m = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            int c = line.indexOf(':');
            if (c > 0) m.put(line.substring(0, c).trim(), line.substring(c + 1).trim());
        }
        return m;
    }

    public static long openFdCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    public static long eventFdCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(p -> {
                        try {
                            return "anon_inode:[eventfd]"
                                    .equals(Files.readSymbolicLink(p).toString());
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .count();
        }
    }
}
