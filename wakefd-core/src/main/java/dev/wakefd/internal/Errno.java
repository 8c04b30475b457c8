package dev.wakefd.internal;

import java.io.IOException;

/** Linux errno numbers that wakefd tests for, their names, and the IOException that carries them. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, EAGAIN = 11,
            ENOMEM = 12, EACCES = 13, EEXIST = 17, EINVAL = 22, ENFILE = 23, EMFILE = 24,
            ENOSYS = 38, ENOTSOCK = 88, EOPNOTSUPP = 95, ECONNRESET = 104, ENOTCONN = 107;

    private static final String[] NAMES = new String[134];

    static {
        String table = "1 EPERM 2 ENOENT 3 ESRCH 4 EINTR 5 EIO 6 ENXIO 7 E2BIG 8 ENOEXEC 9 EBADF 10 ECHILD "
                + "11 EAGAIN 12 ENOMEM 13 EACCES 14 EFAULT 15 ENOTBLK 16 EBUSY 17 EEXIST 18 EXDEV 19 ENODEV "
                + "20 ENOTDIR 21 EISDIR 22 EINVAL 23 ENFILE 24 EMFILE 25 ENOTTY 26 ETXTBSY 27 EFBIG "
                + "28 ENOSPC 29 ESPIPE 30 EROFS 31 EMLINK 32 EPIPE 33 EDOM 34 ERANGE 35 EDEADLK "
                + "36 ENAMETOOLONG 37 ENOLCK 38 ENOSYS 39 ENOTEMPTY 40 ELOOP 75 EOVERFLOW 84 EILSEQ "
                + "88 ENOTSOCK 89 EDESTADDRREQ 90 EMSGSIZE 91 EPROTOTYPE 92 ENOPROTOOPT "
                + "93 EPROTONOSUPPORT 95 EOPNOTSUPP 97 EAFNOSUPPORT 98 EADDRINUSE 99 EADDRNOTAVAIL "
                + "100 ENETDOWN 101 ENETUNREACH 103 ECONNABORTED 104 ECONNRESET 105 ENOBUFS 106 EISCONN "
                + "107 ENOTCONN 110 ETIMEDOUT 111 ECONNREFUSED 114 EALREADY 115 EINPROGRESS 125 ECANCELED";
        String[] parts = table.split(" ");
        for (int i = 0; i < parts.length; i += 2) {
            NAMES[Integer.parseInt(parts[i])] = parts[i + 1];
        }
    }

    /** The symbolic name of an errno value, e.g. {@code EMFILE}, or {@code errno 200} if unknown. */
    public static String name(int errno) {
        String n = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
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
