package dev.wakefd.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** libc's text for an errno value (strerror is POSIX); only used on error paths. */
final class Strerror {
    private Strerror() {}

    /** Looked up on first use, never by loading this class (see Native). */
    private static final class H {
        static final MethodHandle STRERROR = lookup();

        private static MethodHandle lookup() {
            try {
                return Native.plainDowncall("strerror", FunctionDescriptor.of(Native.C_POINTER, Native.C_INT));
            } catch (RuntimeException e) {
                return null; // an error message must not fail for want of its text
            }
        }
    }

    static String text(int errno) {
        MethodHandle h = H.STRERROR;
        if (h == null) {
            return "unknown error";
        }
        try {
            // glibc, macOS and the BSDs return a pointer to a static, immutable string for every
            // known errno value (an unknown one may use a buffer: we copy it at once).
            MemorySegment s = (MemorySegment) h.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }
}
