package dev.wakefd.internal;

import java.io.IOException;
import java.util.Map;

/** Chooses and makes the {@link SignalFile} behind each EventFd. */
public final class Backends {
    private Backends() {}

    /** Opens a new signal object: an eventfd on Linux. */
    public static SignalFile open(int initialValue, boolean semaphore, boolean closeOnExec)
            throws IOException {
        requireLinux("open");
        return EventFdFile.create(initialValue, semaphore, closeOnExec);
    }

    /**
     * Validates a foreign fd as an eventfd and wraps it; see {@code EventFd.adopt}. On refusal the
     * fd is untouched: nothing is changed before every check has passed.
     *
     * @param expectSemaphore the caller's word on the mode, or null to learn it from fdinfo
     */
    public static SignalFile adopt(int fd, Boolean expectSemaphore) throws IOException {
        requireLinux("adopt");
        if (fd < 0) {
            throw new IllegalArgumentException("adopt(" + fd + "): an fd must be >= 0");
        }
        String target = ProcFs.fdTarget("self", fd);
        if (target == null) {
            throw new IllegalArgumentException("adopt(" + fd + "): fd " + fd + " is not open in this process");
        }
        if (!ProcFs.EVENTFD_TARGET.equals(target)) {
            throw new IllegalArgumentException("adopt(" + fd + "): fd " + fd + " is not an eventfd (/proc/self/fd/"
                    + fd + " -> " + target + ", expected " + ProcFs.EVENTFD_TARGET + ")");
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
        if (!(file instanceof EventFdFile)) {
            throw new UnsupportedOperationException("duplicate: the " + file.kind() + " backend cannot be duplicated");
        }
        return new EventFdFile(FdCalls.dupCloexec(file.fd()), file.semaphore(), false);
    }

    private static void requireLinux(String what) {
        if (!Native.IS_LINUX) {
            throw new UnsupportedOperationException("EventFd." + what + ": wakefd needs Linux eventfd(2); "
                    + System.getProperty("os.name") + " has no backend yet");
        }
    }
}
