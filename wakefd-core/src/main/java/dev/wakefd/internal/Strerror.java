package dev.wakefd.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** libc's text for an errno value; only used on error paths. */
final class Strerror {
    private Strerror() {}

    private static final MethodHandle STRERROR = Native.IS_LINUX
            ? Native.plainDowncall("strerror", FunctionDescriptor.of(Native.C_POINTER, Native.C_INT))
            : null;

    static String text(int errno) {
        if (STRERROR == null) {
            return "unknown error";
        }
        try {
            // glibc returns a pointer to a static, immutable string for every known errno value.
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }
}
