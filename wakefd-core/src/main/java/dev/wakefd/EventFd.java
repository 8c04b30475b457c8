package dev.wakefd;

import dev.wakefd.internal.Backends;
import dev.wakefd.internal.Cleaners;
import dev.wakefd.internal.FdGuard;
import dev.wakefd.internal.Internals;
import dev.wakefd.internal.SignalFile;
import dev.wakefd.internal.wait.Site;
import dev.wakefd.internal.wait.Waitable;
import dev.wakefd.internal.wait.Waits;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * A wake signal backed by a Linux eventfd: a 64-bit counter behind a file descriptor. A
 * {@link #signal()} adds to the counter, {@link #tryRead()} takes it, and the fd is readable
 * while the counter is non-zero, so any event loop (epoll, io_uring, Netty, another process or
 * language) can sleep on it. Many signals coalesce into one wake-up.
 *
 * <pre>{@code
 * try (EventFd wake = EventFd.open()) {
 *     wake.signal();            // from any thread, or any process holding the fd
 *     wake.signal(41);
 *     long n = wake.tryRead();  // 42: the accumulated count, and the counter is now 0
 * }
 * }</pre>
 *
 * <h2>Modes</h2>
 * {@link #open()} makes a <em>counter</em>-mode eventfd: a read returns the whole count and
 * clears it. In <em>semaphore</em> mode ({@code builder().semaphore(true)}) a read returns 1
 * and takes one.
 *
 * <h2>Counts are unsigned</h2>
 * The kernel counter is an unsigned 64-bit value up to 2^64-2. wakefd's own {@code signal(n)}
 * takes 1 .. {@link Long#MAX_VALUE}, but a foreign writer can push the count higher, so a read
 * can return a negative {@code long}: read it with {@link Long#toUnsignedString(long)} and
 * compare with {@link Long#compareUnsigned(long, long)}.
 *
 * <h2>Threads and close</h2>
 * Every method is safe from any thread. {@link #close()} may race with calls on other threads:
 * a call that loses the race throws {@link ClosedChannelException} before it touches the fd, and
 * the fd number is handed back to the kernel only after every call that won has returned, so no
 * system call ever reaches a number that another file may have reused. An EventFd that becomes
 * unreachable without {@code close()} has its fd closed by a {@link Cleaner}.
 *
 * <h2>Errors</h2>
 * Bad arguments throw {@link IllegalArgumentException} naming the value and the rule; OS
 * failures throw {@link IOException} naming the call and errno, e.g.
 * {@code eventfd2: EMFILE (Too many open files)}.
 */
public final class EventFd implements WakeSignal {
    private static final Cleaner CLEANER = Cleaners.CLEANER;
    private static final System.Logger LOG = System.getLogger(EventFd.class.getName());

    /** eventfd(2) takes its initial value as an unsigned int. */
    static final long MAX_INITIAL_VALUE = 0xffff_ffffL;

    final SignalFile file;
    final FdGuard guard;
    private final int fd;
    private final boolean semaphore;
    private final Cleaner.Cleanable cleanable;
    /** What the waiting machinery (dev.wakefd.internal.wait) knows of this signal; no reference back. */
    final Site site;
    /** This signal as the machinery waits on it: its Site, tryRead, and signal to give a count back. */
    final Waitable waitable = new Waitable() {
        @Override
        public Site site() {
            return site;
        }

        @Override
        public long consume() throws IOException {
            return tryRead();
        }

        @Override
        public void giveBack(long count) throws IOException {
            signal(count);
        }
    };

    static {
        Internals.install(new Internals.Access() {
            @Override
            public boolean acquire(WakeSignal s) {
                return base(s).guard.acquire();
            }

            @Override
            public void release(WakeSignal s) {
                base(s).guard.release();
            }

            @Override
            public void onClose(WakeSignal s, Runnable listener) {
                base(s).site.onClose(listener);
            }

            @Override
            public void removeOnClose(WakeSignal s, Runnable listener) {
                base(s).site.removeOnClose(listener);
            }

            @Override
            public void shared(WakeSignal s) {
                base(s).guard.stopShortCalls();
                base(s).file.shared();
                base(s).site.expose();
            }

            @Override
            public boolean criticalCalls(WakeSignal s) {
                return base(s).guard.shortCalls();
            }

            @Override
            public long awaitReadable(WakeSignal s, Duration timeout) throws IOException, InterruptedException {
                return Waits.awaitReadable(waitable(s), timeout);
            }
        });
    }

    /** The EventFd under a signal. */
    static EventFd base(WakeSignal s) {
        return switch (s) {
            case EventFd e -> e;
            case Waker w -> w.eventFd();
        };
    }

    /** A signal as the waiting machinery sees it. */
    static Waitable waitable(WakeSignal s) {
        return switch (s) {
            case EventFd e -> e.waitable;
            case Waker w -> w.waitable();
        };
    }

    EventFd(SignalFile file) {
        this(file, false);
    }

    /** @param exposed whether the fd is known outside this object from the start (adopted, duplicated) */
    EventFd(SignalFile file, boolean exposed) {
        this.file = file;
        this.fd = file.fd();
        this.semaphore = file.semaphore();
        this.guard = newGuard(file);
        int n = fd; // the exception factory must not capture this EventFd
        this.site = new Site(
                fd,
                guard,
                file instanceof dev.wakefd.internal.EventFdFile && !semaphore,
                semaphore,
                () -> new Closed(n),
                exposed);
        this.cleanable = CLEANER.register(this, closing(guard, site));
        OwnedFds.own(fd, file);
    }

    /**
     * What close() and the Cleaner do, once: refuse new calls, then tell the listeners (blocked
     * threads, futures, registrations). Captures neither this EventFd nor anything that holds it.
     */
    private static Runnable closing(FdGuard guard, Site site) {
        return () -> {
            guard.markClosed();
            site.signalClosed();
        };
    }

    private static FdGuard newGuard(SignalFile file) {
        return new FdGuard(
                () -> {
                    try {
                        file.close();
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "closing " + file.kind() + " fd " + file.fd(), e);
                    } finally {
                        OwnedFds.release(file.fd(), file); // after close(2): see OwnedFds
                    }
                },
                file.callsCannotBlock());
    }

    /**
     * Opens a counter-mode eventfd with {@code EFD_NONBLOCK | EFD_CLOEXEC} and a count of 0.
     *
     * @return the new eventfd
     * @throws IOException if the kernel refuses, e.g. {@code eventfd2: EMFILE (Too many open files)}
     * @throws UnsupportedOperationException where no backend exists for this OS
     */
    public static EventFd open() throws IOException {
        return builder().open();
    }

    /**
     * Options for {@link #open()}: mode, initial count and close-on-exec.
     *
     * @return a builder with the defaults: counter mode, count 0, close-on-exec
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes ownership of an eventfd created elsewhere (a native library, another process): the
     * returned EventFd closes it. The fd must be an eventfd ({@code /proc/self/fd/N} reads
     * {@code anon_inode:[eventfd]}); its mode is read from {@code eventfd-semaphore} in
     * {@code /proc/self/fdinfo/N} (kernels 6.5 and later; on older kernels that line is missing
     * and the fd is taken as counter mode, so use {@link #adopt(int, boolean)} if you know
     * better). It is made non-blocking if it is not; since the open file description is shared,
     * every holder of it sees {@code O_NONBLOCK} from then on. Its close-on-exec flag is left as it is.
     *
     * @param fd an eventfd this EventFd will own and close
     * @return an EventFd that owns {@code fd}
     * @throws IllegalArgumentException for a negative or closed fd, one that is not an eventfd,
     *     or one that a live EventFd in this JVM already owns (use that one, or its
     *     {@link #duplicate()}); the caller's fd is then left open and untouched
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static EventFd adopt(int fd) throws IOException {
        return adopt(fd, (Boolean) null);
    }

    /**
     * As {@link #adopt(int)}, with the mode given by the caller, for kernels older than 6.5 that
     * do not report it. Where the kernel does report it and it differs, the fd is refused.
     *
     * @param fd an eventfd this EventFd will own and close
     * @param semaphore true if it was created with EFD_SEMAPHORE
     * @return an EventFd that owns {@code fd}
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static EventFd adopt(int fd, boolean semaphore) throws IOException {
        return adopt(fd, Boolean.valueOf(semaphore));
    }

    private static EventFd adopt(int fd, Boolean semaphore) throws IOException {
        Object claim = new Object();
        if (fd >= 0 && !OwnedFds.claim(fd, claim)) {
            throw new IllegalArgumentException(
                    "adopt(" + fd + "): fd " + fd + " is owned by a live EventFd in this JVM, "
                            + "and an fd must have one owner (two would close it twice); use that EventFd or its duplicate()");
        }
        try {
            return new EventFd(Backends.adopt(fd, semaphore), true); // the new EventFd takes the entry over
        } catch (IOException | RuntimeException | Error e) {
            OwnedFds.release(fd, claim);
            throw e;
        }
    }

    /**
     * A second, independent owner of the same kernel eventfd (as dup(2), close-on-exec), so two
     * components can close their halves independently. Sharing means: one counter (a signal on
     * either is seen by both, and a read on either consumes it for both), one open file
     * description (its {@code O_NONBLOCK} flag is shared), and the mode is the same.
     *
     * @return a second owner of the same kernel eventfd
     * @throws java.nio.channels.ClosedChannelException if this EventFd is closed
     */
    public EventFd duplicate() throws IOException {
        if (!guard.acquire()) {
            throw closed();
        }
        try {
            guard.stopShortCalls(); // the description is about to be shared
            file.shared();
            site.expose(); // the duplicate's writes do not pass through this Site
            return new EventFd(Backends.duplicate(file), true);
        } finally {
            guard.release();
        }
    }

    /**
     * Adds 1 to the counter, waking whoever waits on the fd. On a full counter (2^64-2, only
     * reachable through foreign writers) this succeeds without adding: a wake is already pending.
     *
     * @throws ClosedChannelException if this EventFd is closed
     */
    public void signal() throws IOException {
        int call = guard.enter();
        if (call == FdGuard.REFUSED) {
            throw closed();
        }
        try {
            // false: counter full, a wake is pending already, which is all 1 asks for
            if (FdGuard.isShort(call)) {
                file.addShort(1);
            } else {
                file.add(1);
            }
        } finally {
            guard.exit(call);
        }
        site.written(); // in-JVM wake of parked virtual threads: docs/design/waits.md
    }

    /**
     * Adds {@code n} to the counter.
     *
     * @param n 1 .. {@link Long#MAX_VALUE}
     * @throws IllegalArgumentException if {@code n < 1}; nothing is added
     * @throws CounterFullException if the counter cannot take {@code n} without passing 2^64-2;
     *     nothing is added
     * @throws ClosedChannelException if this EventFd is closed
     */
    public void signal(long n) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("signal(" + n + "): n must be between 1 and Long.MAX_VALUE (2^63-1)");
        }
        int call = guard.enter();
        if (call == FdGuard.REFUSED) {
            throw closed();
        }
        boolean added;
        try {
            added = FdGuard.isShort(call) ? file.addShort(n) : file.add(n);
        } finally {
            guard.exit(call);
        }
        if (!added) {
            throw new CounterFullException(fd, n);
        }
        site.written(); // in-JVM wake of parked virtual threads: docs/design/waits.md
    }

    /**
     * Consumes the pending count and returns it (an unsigned 64-bit value); in semaphore mode
     * returns 1 and takes one. Returns 0 when nothing is pending. Never blocks.
     *
     * @return the count consumed (1 in semaphore mode), or 0 if none was pending
     * @throws ClosedChannelException if this EventFd is closed
     */
    public long tryRead() throws IOException {
        int call = guard.enter();
        if (call == FdGuard.REFUSED) {
            throw closed();
        }
        try {
            return FdGuard.isShort(call) ? file.takeShort() : file.take();
        } finally {
            guard.exit(call);
        }
    }

    /** Same as {@link #tryRead()}. */
    @Override
    public long consume() throws IOException {
        return tryRead();
    }

    /**
     * The file descriptor, to register with any event loop or pass to native code. It stays
     * owned by this EventFd: do not close it, and do not use the number after {@link #close()}.
     * From the first call on, virtual threads waiting here are also watched by wakefd's shared
     * poller, for writers outside the JVM (docs/design/waits.md).
     */
    public int fd() {
        site.expose();
        return fd;
    }

    /**
     * Whether a read takes one (semaphore mode) rather than the whole count.
     *
     * @return true if a read takes one (semaphore mode) rather than the whole count
     */
    public boolean isSemaphore() {
        return semaphore;
    }

    @Override
    public boolean isOpen() {
        return !guard.isClosing();
    }

    /**
     * Closes this EventFd. Idempotent, and safe to call while other threads use it: their calls
     * either complete or throw {@link ClosedChannelException}; threads blocked waiting on it are
     * woken with {@link java.nio.channels.AsynchronousCloseException}; the fd number is released
     * once the last in-flight call has returned. Errors from close(2) are logged, not thrown.
     */
    @Override
    public void close() {
        cleanable.clean(); // runs closing() once, here or already by the Cleaner
    }

    /** For example {@code EventFd[fd=7, counter, eventfd, open]}. */
    @Override
    public String toString() {
        return "EventFd[fd=" + fd + ", " + (semaphore ? "semaphore" : "counter") + ", " + file.kind() + ", "
                + (isOpen() ? "open" : "closed") + "]";
    }

    ClosedChannelException closed() {
        return new Closed(fd);
    }

    /** A ClosedChannelException that says which fd. */
    private static final class Closed extends ClosedChannelException {
        private static final long serialVersionUID = 1L;
        private final int fd;

        Closed(int fd) {
            this.fd = fd;
        }

        @Override
        public String getMessage() {
            return "EventFd fd=" + fd + " is closed";
        }
    }

    /** Options for a new EventFd; see {@link EventFd#builder()}. */
    public static final class Builder {
        private boolean semaphore;
        private long initialValue;
        private boolean closeOnExec = true;

        private Builder() {}

        /**
         * Semaphore mode: each read takes 1. Default false (counter mode).
         *
         * @param semaphore true for semaphore mode
         * @return this builder
         */
        public Builder semaphore(boolean semaphore) {
            this.semaphore = semaphore;
            return this;
        }

        /**
         * The initial count, 0 .. 2^32-1 (eventfd(2) takes an unsigned int). Default 0.
         *
         * @param initialValue the count to start with
         * @return this builder
         */
        public Builder initialValue(long initialValue) {
            if (initialValue < 0 || initialValue > MAX_INITIAL_VALUE) {
                throw new IllegalArgumentException("initialValue(" + initialValue
                        + "): must be between 0 and 2^32-1 (4294967295), as eventfd(2) takes an unsigned int");
            }
            this.initialValue = initialValue;
            return this;
        }

        /**
         * Whether the fd is closed on exec (EFD_CLOEXEC). Default true; set false only to hand
         * the fd to a child process deliberately (Java's ProcessBuilder closes inherited fds
         * anyway, so this is for native fork/exec).
         *
         * @param closeOnExec false to let child processes inherit the fd (not recommended)
         * @return this builder
         */
        public Builder closeOnExec(boolean closeOnExec) {
            this.closeOnExec = closeOnExec;
            return this;
        }

        /**
         * Creates the eventfd (always non-blocking).
         *
         * @return the new eventfd
         * @throws IOException if a system call fails; the message names the call and errno
         */
        public EventFd open() throws IOException {
            return new EventFd(Backends.open((int) initialValue, semaphore, closeOnExec));
        }
    }
}
