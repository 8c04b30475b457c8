package dev.wakefd.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Which backend this test run exercises: surefire's second execution sets wakefd.backend=pipe, the
 * third wakefd.platform=posix (POSIX-only mode, which also uses the pipe backend).
 */
public final class TestBackend {
    private TestBackend() {}

    public static boolean isPipe() {
        return "pipe".equals(System.getProperty("wakefd.backend")) || isPosixOnly();
    }

    /** Whether this run forces POSIX-only mode (-Dwakefd.platform=posix). */
    public static boolean isPosixOnly() {
        return "posix".equals(System.getProperty("wakefd.platform"));
    }

    /** Skips a test that is about eventfd itself (fdinfo, adopt, a foreign eventfd writer). */
    public static void assumeEventFd(String why) {
        assumeFalse(isPipe(), "eventfd backend only: " + why);
    }

    /** What {@code toString} and /proc call our fds: "eventfd" or "pipe". */
    public static String kind() {
        return isPipe() ? "pipe" : "eventfd";
    }
}
