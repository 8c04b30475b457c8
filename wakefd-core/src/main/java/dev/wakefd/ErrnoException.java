package dev.wakefd;

import dev.wakefd.internal.Errno;
import java.io.IOException;

/**
 * An operating-system call failed: which call, and the errno it set. Every OS failure wakefd
 * reports is one of these, with a message such as {@code eventfd2: EMFILE (Too many open files)},
 * so callers can branch on the cause instead of parsing the message.
 *
 * <pre>{@code
 * try (EventFd e = EventFd.open()) {
 *     e.signal();
 * } catch (ErrnoException e) {
 *     if (e.errnoName().equals("EMFILE")) {
 *         // out of file descriptors: close some and try again
 *     }
 *     throw e;
 * }
 * }</pre>
 */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The failed call's name. */
    private final String call;
    /** The errno value the call set. */
    private final int errno;

    /**
     * For wakefd's own modules; the message is {@code call: NAME (text)}.
     *
     * @param call the failed call, e.g. {@code eventfd2}
     * @param errno the Linux errno value it set, e.g. 24
     */
    protected ErrnoException(String call, int errno) {
        super(Errno.describe(call, errno));
        this.call = call;
        this.errno = errno;
    }

    /**
     * The system call or libc function that failed, e.g. {@code eventfd2} or {@code socket}.
     *
     * @return the call's name
     */
    public String call() {
        return call;
    }

    /**
     * The errno value the call set, e.g. 24.
     *
     * @return the Linux errno number
     */
    public int errno() {
        return errno;
    }

    /**
     * The symbolic name of {@link #errno()}, e.g. {@code EMFILE}, or {@code errno N} for a value
     * wakefd has no name for.
     *
     * @return the errno's name
     */
    public String errnoName() {
        return Errno.name(errno);
    }
}
