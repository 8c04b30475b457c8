package dev.wakefd.cli;

import dev.wakefd.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether one of this process's standard streams is a terminal, by isatty(3) on its own fd:
 * {@code System.console()} answers for stdin and stdout together, not for stderr.
 */
final class Tty {
    static final int STDOUT = 1, STDERR = 2;

    private static final MethodHandle ISATTY = Native.IS_LINUX
            ? Native.downcall("isatty", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), false)
            : null;

    private Tty() {}

    static boolean isTerminal(int fd) {
        if (ISATTY == null) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            return (int) ISATTY.invokeExact(a.allocate(Native.captureSize(), 8), fd) == 1;
        } catch (Throwable t) {
            return false; // a bar is a nicety: without an answer, print plain lines
        }
    }
}
