package dev.wakefd.internal;

import java.io.IOException;
import java.util.Map;

/**
 * Chooses and makes the {@link SignalFile} behind each EventFd: an eventfd on Linux, a pipe pair
 * ({@link PipeFile}) elsewhere and in POSIX-only mode ({@link Platform}). The system property
 * {@value #PROPERTY} forces one: {@code -Dwakefd.backend=pipe} runs the pipe backend on Linux (to
 * test it, or to compare), {@code eventfd} insists on eventfd. It is read once, when the first
 * EventFd is made.
 */
public final class Backends {
    private Backends() {}

    public static final String PROPERTY = "wakefd.backend";
    public static final String EVENTFD = "eventfd", PIPE = "pipe";

    /** The backend of this JVM and why, or the reason the property's value cannot be used. */
    private record Choice(String name, String reason, String error) {}

    private static final Choice CHOICE = choose(System.getProperty(PROPERTY), Native.IS_LINUX, Platform.posixOnly());

    private static Choice choose(String requested, boolean linux, boolean posixOnly) {
        if (requested == null || requested.isBlank()) {
            return posixOnly
                    ? new Choice(
                            PIPE,
                            linux
                                    ? "chosen by -D" + Platform.PROPERTY + "=posix (POSIX-only mode)"
                                    : "chosen because " + System.getProperty("os.name") + " has no eventfd",
                            null)
                    : new Choice(EVENTFD, "the default on Linux", null);
        }
        String r = requested.trim();
        if (r.equals(PIPE) || (r.equals(EVENTFD) && !posixOnly)) {
            return new Choice(r, "chosen by -D" + PROPERTY + "=" + r, null);
        }
        return new Choice(
                null,
                null,
                r.equals(EVENTFD)
                        ? (linux
                                ? "-D" + PROPERTY + "=eventfd contradicts -D" + Platform.PROPERTY
                                        + "=posix: eventfd(2) is Linux-only"
                                : "-D" + PROPERTY + "=eventfd: eventfd(2) exists only on Linux, not on "
                                        + System.getProperty("os.name"))
                        : "-D" + PROPERTY + "=" + requested
                                + ": must be 'eventfd' or 'pipe' (or unset to choose by OS)");
    }

    /** "eventfd" or "pipe": what {@link #open} makes in this JVM. */
    public static String name() {
        if (CHOICE.error() != null) {
            throw new IllegalStateException(CHOICE.error());
        }
        return CHOICE.name();
    }

    /** Opens a new signal object: an eventfd, or a pipe pair (see the class comment). */
    public static SignalFile open(int initialValue, boolean semaphore, boolean closeOnExec) throws IOException {
        Platform.requireUsable(); // an unknown system or platform value fails here, not at class init
        return name().equals(PIPE)
                ? PipeFile.create(Integer.toUnsignedLong(initialValue), semaphore, closeOnExec)
                : EventFdFile.create(initialValue, semaphore, closeOnExec);
    }

    /**
     * Validates a foreign fd as an eventfd and wraps it; see {@code EventFd.adopt}. On refusal the
     * fd is untouched: nothing is changed before every check has passed.
     *
     * @param expectSemaphore the caller's word on the mode, or null to learn it from fdinfo
     */
    public static SignalFile adopt(int fd, Boolean expectSemaphore) throws IOException {
        if (name().equals(PIPE)) {
            throw new UnsupportedOperationException("EventFd.adopt(" + fd + "): the pipe backend (" + describe()
                    + ") keeps its count in this JVM, so it cannot take over a foreign eventfd");
        }
        Platform.requireLinux("EventFd.adopt (it reads /proc/self/fdinfo)");
        if (fd < 0) {
            throw new IllegalArgumentException("adopt(" + fd + "): an fd must be >= 0");
        }
        String target = ProcFs.fdTarget("self", fd);
        if (target == null) {
            throw new IllegalArgumentException("adopt(" + fd + "): fd " + fd + " is not open in this process");
        }
        if (!ProcFs.EVENTFD_TARGET.equals(target)) {
            throw new IllegalArgumentException("adopt(" + fd + "): fd " + fd + " is not an eventfd (/proc/self/fd/" + fd
                    + " -> " + target + ", expected " + ProcFs.EVENTFD_TARGET + ")");
        }
        Map<String, String> info = ProcFs.fdInfo("self", fd);
        String reported = info == null ? null : info.get("eventfd-semaphore");
        boolean semaphore;
        if (reported != null) {
            semaphore = "1".equals(reported);
            if (expectSemaphore != null && expectSemaphore != semaphore) {
                throw new IllegalArgumentException("adopt(" + fd + ", semaphore=" + expectSemaphore
                        + "): the kernel reports eventfd-semaphore: " + reported);
            }
        } else {
            // Kernels before 6.5 do not report the mode: trust the caller, else assume counter mode.
            semaphore = expectSemaphore != null && expectSemaphore;
        }
        int flags = FdCalls.fcntl(fd, FdCalls.F_GETFL, 0);
        if ((flags & FdCalls.O_NONBLOCK) == 0) {
            FdCalls.fcntl(fd, FdCalls.F_SETFL, flags | FdCalls.O_NONBLOCK);
        }
        // Not critical: a foreign holder of the same description could make it blocking again.
        return new EventFdFile(fd, semaphore, false);
    }

    /** A new fd for the same kernel object; not critical, since the description is now shared. */
    public static SignalFile duplicate(SignalFile file) throws IOException {
        return switch (file) {
            case EventFdFile e -> {
                // The caller (EventFd.duplicate) has stopped the original's short calls.
                yield new EventFdFile(FdCalls.dupCloexec(e.fd()), e.semaphore(), false);
            }
            case PipeFile p -> p.duplicate(); // same pipe, same in-JVM count
            default ->
                throw new UnsupportedOperationException(
                        "duplicate: the " + file.kind() + " backend cannot be duplicated");
        };
    }

    /** For messages: how this JVM's backend came to be chosen, e.g. "chosen by -Dwakefd.backend=pipe". */
    public static String describe() {
        name(); // an unusable property value fails here too
        return CHOICE.reason();
    }
}
