package dev.wakefd.internal;

import java.util.Locale;
import java.util.Set;

/**
 * Which system calls wakefd may make in this JVM: all of Linux's, or only POSIX calls that
 * Linux, macOS, FreeBSD and OpenBSD all have. Off Linux it is always POSIX-only; on Linux
 * {@code -Dwakefd.platform=posix} forces it, so that the portable path is run and tested here.
 * Read once; a bad value fails at open, never at class initialisation.
 *
 * <p>Invariant: in POSIX-only mode {@link Native} looks up no symbol outside {@link #POSIX_SYMBOLS}
 * (it refuses with an UnsupportedOperationException), so no Linux-only call can be made even by
 * mistake; PosixOnlyTest checks the record of every lookup. See docs/platforms.md.
 */
public final class Platform {
    private Platform() {}

    public static final String PROPERTY = "wakefd.platform";
    public static final String LINUX = "linux", POSIX = "posix";

    /**
     * The libc functions POSIX-only mode may look up: POSIX.1-2008 calls present in glibc, macOS
     * libSystem, FreeBSD and OpenBSD libc under these plain names on 64-bit systems (Darwin's
     * $UNIX2003 suffixes are 32-bit only). The socket calls are for wakefd-ipc's bounded waits;
     * it refuses fd passing in this mode before it makes any.
     */
    public static final Set<String> POSIX_SYMBOLS = Set.of(
            "read",
            "write",
            "close",
            "fcntl",
            "pipe",
            "poll",
            "strerror",
            "socket",
            "bind",
            "listen",
            "connect",
            "sendmsg",
            "recvmsg",
            "getsockopt",
            "chmod",
            "shutdown",
            "geteuid",
            "isatty");

    /** Symbols that exist only on Linux; never looked up in POSIX-only mode (checked by tests). */
    public static boolean linuxOnly(String symbol) {
        return symbol.startsWith("epoll_")
                || symbol.startsWith("pidfd_")
                || symbol.startsWith("eventfd")
                || Set.of("pipe2", "memfd_create", "syscall", "dup3", "accept4", "signalfd", "timerfd_create")
                        .contains(symbol);
    }

    private static final boolean ON_LINUX =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    private static final String REQUESTED = System.getProperty(PROPERTY);
    /** Null if the property is unusable; then {@link #posixOnly()} is still answered (true: the safe side). */
    private static final String ERROR = check(REQUESTED, ON_LINUX);

    private static final boolean POSIX_ONLY =
            !ON_LINUX || ERROR != null || (REQUESTED != null && REQUESTED.trim().equals(POSIX));

    private static String check(String requested, boolean linux) {
        if (requested == null || requested.isBlank()) {
            return null;
        }
        String r = requested.trim();
        if (r.equals(POSIX) || (r.equals(LINUX) && linux)) {
            return null;
        }
        return r.equals(LINUX)
                ? "-D" + PROPERTY + "=linux: Linux system calls exist only on Linux, not on "
                        + System.getProperty("os.name")
                : "-D" + PROPERTY + "=" + requested
                        + ": must be 'linux' or 'posix' (or unset: linux on Linux, posix elsewhere)";
    }

    /** Whether only POSIX calls may be made (see the class comment). Never throws. */
    public static boolean posixOnly() {
        return POSIX_ONLY;
    }

    /** "linux" or "posix"; throws IllegalStateException if the property's value is unusable. */
    public static String name() {
        if (ERROR != null) {
            throw new IllegalStateException(ERROR);
        }
        return POSIX_ONLY ? POSIX : LINUX;
    }

    /** For messages: e.g. "POSIX-only mode (forced by -Dwakefd.platform=posix)" or "POSIX-only mode (Mac OS X)". */
    public static String describe() {
        if (!POSIX_ONLY) {
            return "Linux";
        }
        return ON_LINUX
                ? "POSIX-only mode (forced by -D" + PROPERTY + "=posix)"
                : "POSIX-only mode (" + System.getProperty("os.name") + " is not Linux)";
    }

    /**
     * Checks that this JVM may make Linux-only calls for {@code what}.
     *
     * @throws UnsupportedOperationException naming {@code what} and the platform, in POSIX-only mode
     */
    public static void requireLinux(String what) {
        name(); // an unusable property value fails here too
        if (POSIX_ONLY) {
            throw new UnsupportedOperationException(what + " needs Linux, but wakefd runs in " + describe());
        }
    }

    /**
     * Checks the system before the first system call of an entry point (open, a poller): a known
     * constant table and a usable property value.
     */
    public static void requireUsable() {
        name();
        Abi.current();
    }

    /** Called by {@link Native} before each lookup: refuses what POSIX-only mode may not call. */
    static void checkSymbol(String symbol) {
        if (POSIX_ONLY && !POSIX_SYMBOLS.contains(symbol)) {
            throw new UnsupportedOperationException("libc symbol " + symbol + " is not looked up in " + describe()
                    + (linuxOnly(symbol) ? ": it is Linux-only" : ": it is not on wakefd's POSIX list"));
        }
    }
}
