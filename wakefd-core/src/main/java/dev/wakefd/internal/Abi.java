package dev.wakefd.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The kernel ABI numbers that differ between the systems wakefd knows: errno values, fcntl and
 * poll flags, and the one struct layout detail that differs ({@code nfds_t}). One table per
 * system, each citing the headers it was read from; the same headers are kept as test data and
 * every entry is checked against them (AbiTest). Chosen once from {@code os.name}/{@code os.arch}.
 *
 * <p>Invariant: nothing here throws during class initialisation. On a system with no table the
 * constants read as -1 (matching no errno) and {@link #current()} throws, which
 * {@code Backends.open} and every other entry point call before any system call, so the failure is
 * a clear {@link UnsupportedOperationException} at open naming what is missing.
 * See docs/platforms.md.
 */
public final class Abi {
    private Abi() {}

    /** One system's numbers: constant name to value, and where they were read. */
    public record Table(String system, Set<String> archs, List<String> sources, Map<String, Integer> values) {
        /** The value of {@code name}; every table defines every name in {@link #NAMES}. */
        public int get(String name) {
            Integer v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("Abi table " + system + " has no constant " + name);
            }
            return v;
        }
    }

    /** The errno names wakefd knows (Errno's names); every table defines each of them. */
    static final List<String> ERRNO_NAMES = List.of(
            "EPERM",
            "ENOENT",
            "ESRCH",
            "EINTR",
            "EIO",
            "ENXIO",
            "E2BIG",
            "ENOEXEC",
            "EBADF",
            "ECHILD",
            "EAGAIN",
            "ENOMEM",
            "EACCES",
            "EFAULT",
            "ENOTBLK",
            "EBUSY",
            "EEXIST",
            "EXDEV",
            "ENODEV",
            "ENOTDIR",
            "EISDIR",
            "EINVAL",
            "ENFILE",
            "EMFILE",
            "ENOTTY",
            "ETXTBSY",
            "EFBIG",
            "ENOSPC",
            "ESPIPE",
            "EROFS",
            "EMLINK",
            "EPIPE",
            "EDOM",
            "ERANGE",
            "EDEADLK",
            "ENAMETOOLONG",
            "ENOLCK",
            "ENOSYS",
            "ENOTEMPTY",
            "ELOOP",
            "EOVERFLOW",
            "EILSEQ",
            "ENOTSOCK",
            "EDESTADDRREQ",
            "EMSGSIZE",
            "EPROTOTYPE",
            "ENOPROTOOPT",
            "EPROTONOSUPPORT",
            "EOPNOTSUPP",
            "EAFNOSUPPORT",
            "EADDRINUSE",
            "EADDRNOTAVAIL",
            "ENETDOWN",
            "ENETUNREACH",
            "ECONNABORTED",
            "ECONNRESET",
            "ENOBUFS",
            "EISCONN",
            "ENOTCONN",
            "ETIMEDOUT",
            "ECONNREFUSED",
            "EALREADY",
            "EINPROGRESS",
            "ECANCELED");

    /** The flag names every table defines, beside the errno names. */
    static final List<String> FLAG_NAMES = List.of(
            "O_NONBLOCK",
            "O_CLOEXEC",
            "F_GETFD",
            "F_SETFD",
            "F_GETFL",
            "F_SETFL",
            "F_DUPFD_CLOEXEC",
            "FD_CLOEXEC",
            "POLLIN",
            "POLLOUT",
            "POLLERR",
            "POLLHUP",
            "POLLNVAL",
            // sizeof(struct pollfd) (8 everywhere: {int fd; short events; short revents;}) and
            // sizeof(nfds_t), poll's count argument, which is not the same everywhere.
            "POLLFD_SIZE",
            "NFDS_T_SIZE");

    /** Every name a table must define. */
    static final List<String> NAMES = java.util.stream.Stream.concat(ERRNO_NAMES.stream(), FLAG_NAMES.stream())
            .toList();

    private static final Set<String> ARCHS = Set.of("amd64", "x86_64", "aarch64");

    // 1-34 except 11 are the same in every table (Version 7 Unix); 4.4BSD then numbers the rest one
    // way and Linux (asm-generic) another. Written out per system so each reads against its header.
    private static final String BSD_COMMON = """
            EPERM 1 ENOENT 2 ESRCH 3 EINTR 4 EIO 5 ENXIO 6 E2BIG 7 ENOEXEC 8 EBADF 9 ECHILD 10
            EDEADLK 11 ENOMEM 12 EACCES 13 EFAULT 14 ENOTBLK 15 EBUSY 16 EEXIST 17 EXDEV 18 ENODEV 19
            ENOTDIR 20 EISDIR 21 EINVAL 22 ENFILE 23 EMFILE 24 ENOTTY 25 ETXTBSY 26 EFBIG 27 ENOSPC 28
            ESPIPE 29 EROFS 30 EMLINK 31 EPIPE 32 EDOM 33 ERANGE 34 EAGAIN 35 EINPROGRESS 36 EALREADY 37
            ENOTSOCK 38 EDESTADDRREQ 39 EMSGSIZE 40 EPROTOTYPE 41 ENOPROTOOPT 42 EPROTONOSUPPORT 43
            EAFNOSUPPORT 47 EADDRINUSE 48 EADDRNOTAVAIL 49 ENETDOWN 50 ENETUNREACH 51 ECONNABORTED 53
            ECONNRESET 54 ENOBUFS 55 EISCONN 56 ENOTCONN 57 ETIMEDOUT 60 ECONNREFUSED 61 ELOOP 62
            ENAMETOOLONG 63 ENOTEMPTY 66 ENOLCK 77 ENOSYS 78
            F_GETFD 1 F_SETFD 2 F_GETFL 3 F_SETFL 4 FD_CLOEXEC 1 O_NONBLOCK 0x4
            POLLIN 0x1 POLLOUT 0x4 POLLERR 0x8 POLLHUP 0x10 POLLNVAL 0x20
            POLLFD_SIZE 8 NFDS_T_SIZE 4
            """;

    /** Linux x86_64 and aarch64: both use the asm-generic numbers below (only epoll_event differs: see EPoll). */
    static final Table LINUX = table(
            "Linux",
            ARCHS,
            List.of(
                    "linux include/uapi/asm-generic/errno-base.h, errno.h (arch/x86 and arch/arm64 include them)",
                    "linux include/uapi/asm-generic/fcntl.h (arm64 overrides only O_DIRECTORY..O_LARGEFILE)",
                    "linux include/uapi/linux/fcntl.h (F_DUPFD_CLOEXEC = F_LINUX_SPECIFIC_BASE + 6)",
                    "linux include/uapi/asm-generic/poll.h; glibc sys/poll.h: nfds_t is unsigned long int",
                    "glibc bits/fcntl-linux.h: FD_CLOEXEC"),
            """
            EPERM 1 ENOENT 2 ESRCH 3 EINTR 4 EIO 5 ENXIO 6 E2BIG 7 ENOEXEC 8 EBADF 9 ECHILD 10
            EAGAIN 11 ENOMEM 12 EACCES 13 EFAULT 14 ENOTBLK 15 EBUSY 16 EEXIST 17 EXDEV 18 ENODEV 19
            ENOTDIR 20 EISDIR 21 EINVAL 22 ENFILE 23 EMFILE 24 ENOTTY 25 ETXTBSY 26 EFBIG 27 ENOSPC 28
            ESPIPE 29 EROFS 30 EMLINK 31 EPIPE 32 EDOM 33 ERANGE 34 EDEADLK 35 ENAMETOOLONG 36 ENOLCK 37
            ENOSYS 38 ENOTEMPTY 39 ELOOP 40 EOVERFLOW 75 EILSEQ 84 ENOTSOCK 88 EDESTADDRREQ 89 EMSGSIZE 90
            EPROTOTYPE 91 ENOPROTOOPT 92 EPROTONOSUPPORT 93 EOPNOTSUPP 95 EAFNOSUPPORT 97 EADDRINUSE 98
            EADDRNOTAVAIL 99 ENETDOWN 100 ENETUNREACH 101 ECONNABORTED 103 ECONNRESET 104 ENOBUFS 105
            EISCONN 106 ENOTCONN 107 ETIMEDOUT 110 ECONNREFUSED 111 EALREADY 114 EINPROGRESS 115
            ECANCELED 125
            F_GETFD 1 F_SETFD 2 F_GETFL 3 F_SETFL 4 F_DUPFD_CLOEXEC 1030 FD_CLOEXEC 1
            O_NONBLOCK 04000 O_CLOEXEC 02000000
            POLLIN 0x1 POLLOUT 0x4 POLLERR 0x8 POLLHUP 0x10 POLLNVAL 0x20
            POLLFD_SIZE 8 NFDS_T_SIZE 8
            """);

    /** macOS (XNU) on x86_64 and arm64; 64-bit Darwin is __DARWIN_UNIX03, so EOPNOTSUPP is 102, not ENOTSUP. */
    // One BSD table per system, each read against its own headers (the sources).
    static final Table MACOS = bsd(
            "Mac OS X",
            "apple-oss-distributions/xnu xnu-11417.101.15 (e3723e1f) bsd/sys/",
            "errno.h",
            "fcntl.h",
            "poll.h",
            "EOPNOTSUPP 102 EOVERFLOW 84 ECANCELED 89 EILSEQ 92 O_CLOEXEC 0x1000000 F_DUPFD_CLOEXEC 67");

    static final Table FREEBSD = bsd(
            "FreeBSD",
            "freebsd/freebsd-src sys/sys/",
            "errno.h (01ca612a)",
            "fcntl.h (0069e95e)",
            "poll.h (039ea811)",
            "EOPNOTSUPP 45 EOVERFLOW 84 ECANCELED 85 EILSEQ 86 O_CLOEXEC 0x00100000 F_DUPFD_CLOEXEC 17");

    static final Table OPENBSD = bsd(
            "OpenBSD",
            "openbsd src sys/sys/",
            "errno.h rev 1.25 (2017/09/05)",
            "fcntl.h rev 1.23 (2025/08/04)",
            "poll.h rev 1.16 (2024/08/04)",
            "EOPNOTSUPP 45 EILSEQ 84 EOVERFLOW 87 ECANCELED 88 O_CLOEXEC 0x10000 F_DUPFD_CLOEXEC 10");

    public static final List<Table> TABLES = List.of(LINUX, MACOS, FREEBSD, OPENBSD);

    private static final String OS_NAME = System.getProperty("os.name", "");
    private static final String OS_ARCH = System.getProperty("os.arch", "");
    private static final Table CURRENT = select(OS_NAME, OS_ARCH);

    /** The table for a system, or null; never throws. macOS reports os.name "Mac OS X". */
    static Table select(String osName, String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        for (Table t : TABLES) {
            if (osName.equalsIgnoreCase(t.system()) && t.archs().contains(arch)) {
                return t;
            }
        }
        return null;
    }

    /**
     * This system's table.
     *
     * @throws UnsupportedOperationException naming the system and what wakefd would need for it
     */
    public static Table current() {
        Table t = CURRENT;
        if (t == null) {
            throw unknownSystem(OS_NAME, OS_ARCH);
        }
        return t;
    }

    static UnsupportedOperationException unknownSystem(String osName, String osArch) {
        return new UnsupportedOperationException("wakefd has no kernel constants for " + osName + " on " + osArch
                + ": it needs this system's errno numbers (<errno.h>: EAGAIN, EINTR, ...), O_NONBLOCK, O_CLOEXEC,"
                + " F_DUPFD_CLOEXEC and FD_CLOEXEC (<fcntl.h>), POLLIN..POLLNVAL and sizeof(nfds_t) (<poll.h>);"
                + " known: Linux, Mac OS X, FreeBSD and OpenBSD on x86_64 and aarch64 (see docs/platforms.md)");
    }

    /** Whether this system has a table (without throwing). */
    public static boolean known() {
        return CURRENT != null;
    }

    /** A constant of this system for a static field: -1 where there is no table (see the class comment). */
    static int value(String name) {
        return CURRENT == null ? -1 : CURRENT.get(name);
    }

    /** A BSD table: {@code BSD_COMMON} plus what differs; sources are {@code tree} + each header. */
    private static Table bsd(String system, String tree, String errnoH, String fcntlH, String pollH, String differs) {
        return table(system, ARCHS, List.of(tree + errnoH, tree + fcntlH, tree + pollH), BSD_COMMON + differs);
    }

    private static Table table(String system, Set<String> archs, List<String> sources, String text) {
        Map<String, Integer> values = new LinkedHashMap<>();
        String[] parts = text.trim().split("\\s+");
        for (int i = 0; i + 1 < parts.length; i += 2) {
            values.put(parts[i], Integer.decode(parts[i + 1])); // decode: 0x.. hex, 0.. octal
        }
        return new Table(system, archs, sources, java.util.Collections.unmodifiableMap(values));
    }
}
