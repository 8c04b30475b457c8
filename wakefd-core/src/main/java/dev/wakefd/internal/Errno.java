package dev.wakefd.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * errno numbers that wakefd tests for, their names, and the IOException that carries them. The
 * numbers are this system's ({@link Abi}): EAGAIN is 11 on Linux and 35 on macOS and the BSDs.
 */
public final class Errno {
    private Errno() {}

    // -1 (matching no errno) where wakefd has no table for this system; open() refuses first.
    public static final int EPERM = Abi.value("EPERM"),
            ENOENT = Abi.value("ENOENT"),
            ESRCH = Abi.value("ESRCH"),
            EINTR = Abi.value("EINTR"),
            EBADF = Abi.value("EBADF"),
            EAGAIN = Abi.value("EAGAIN"),
            ENOMEM = Abi.value("ENOMEM"),
            EACCES = Abi.value("EACCES"),
            EEXIST = Abi.value("EEXIST"),
            EINVAL = Abi.value("EINVAL"),
            ENFILE = Abi.value("ENFILE"),
            EMFILE = Abi.value("EMFILE"),
            ENOSYS = Abi.value("ENOSYS"),
            ENOTSOCK = Abi.value("ENOTSOCK"),
            EOPNOTSUPP = Abi.value("EOPNOTSUPP"),
            ECONNRESET = Abi.value("ECONNRESET"),
            ENOTCONN = Abi.value("ENOTCONN"),
            ETIMEDOUT = Abi.value("ETIMEDOUT");

    /** errno value to name, for this system; empty where there is no table. */
    private static final Map<Integer, String> NAMES = names(Abi.known() ? Abi.current() : null);

    static Map<Integer, String> names(Abi.Table table) {
        Map<Integer, String> names = new HashMap<>();
        if (table != null) {
            for (String n : Abi.ERRNO_NAMES) {
                names.putIfAbsent(table.get(n), n);
            }
        }
        return Map.copyOf(names);
    }

    /** The symbolic name of an errno value, e.g. {@code EMFILE}, or {@code errno 200} if unknown. */
    public static String name(int errno) {
        String n = NAMES.get(errno);
        return n != null ? n : "errno " + errno;
    }

    /** {@code call: NAME (text)}, e.g. {@code eventfd2: EMFILE (Too many open files)}. */
    public static String describe(String call, int errno) {
        return call + ": " + name(errno) + " (" + Strerror.text(errno) + ")";
    }

    /** The exception for a failed call: a {@link dev.wakefd.ErrnoException} saying {@link #describe}. */
    public static IOException exception(String call, int errno) {
        return new NativeIOException(call, errno);
    }
}
