package dev.wakefd.ipc.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Test helper: writes one plain byte on a socket (the go-ahead for the Python peer). */
public final class UnixSocketsTestAccess {
    private UnixSocketsTestAccess() {}

    private static final Linker L = Linker.nativeLinker();
    private static final MethodHandle WRITE = L.downcallHandle(
            L.defaultLookup().find("write").orElseThrow(),
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    public static boolean send(int fd) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            return (long) WRITE.invokeExact(fd, a.allocate(1), 1L) == 1;
        }
    }
}
