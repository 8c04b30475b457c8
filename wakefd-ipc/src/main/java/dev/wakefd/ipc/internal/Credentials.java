package dev.wakefd.ipc.internal;

import dev.wakefd.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * This process's credentials, as SO_PEERCRED reports them for a peer of the same user. Its own
 * class, so that asking for the uid looks up geteuid(2) alone (a POSIX call), not the socket
 * calls of {@link UnixSockets}, some of which are Linux-only.
 */
public final class Credentials {
    private Credentials() {}

    private static final MethodHandle GETEUID =
            Native.downcall("geteuid", FunctionDescriptor.of(ValueLayout.JAVA_INT), false);

    /**
     * geteuid(2). It cannot fail and needs no fd, so the default peer policy works when fds run
     * out (reading /proc would not).
     *
     * @return the effective uid, unsigned
     */
    public static long effectiveUid() {
        try (Arena a = Arena.ofConfined()) {
            return Integer.toUnsignedLong((int) GETEUID.invokeExact(a.allocate(Native.captureSize(), 8)));
        } catch (Throwable t) {
            throw new AssertionError("geteuid cannot fail", t);
        }
    }
}
