package dev.wakefd.internal;

import java.io.IOException;

/** {@link SignalFile} over a Linux eventfd: one fd, the counter kept by the kernel. */
public final class EventFdFile implements SignalFile {
    private final int fd;
    private final boolean semaphore;
    /**
     * True while the fd is one this JVM created non-blocking and close-on-exec and never handed
     * out: its calls cannot block, so they may skip the thread transition (a blocked critical call
     * would stall every safepoint). Cleared for good by {@link #shared()} before the open file
     * description can reach anyone who might clear O_NONBLOCK; a call that read the old value is
     * one that started before the fd was handed out, when it still could not block.
     */
    private volatile boolean critical;

    public EventFdFile(int fd, boolean semaphore, boolean critical) {
        this.fd = fd;
        this.semaphore = semaphore;
        this.critical = critical;
    }

    public static EventFdFile create(int initialValue, boolean semaphore, boolean closeOnExec)
            throws IOException {
        int flags = EventFdCalls.EFD_NONBLOCK
                | (semaphore ? EventFdCalls.EFD_SEMAPHORE : 0)
                | (closeOnExec ? EventFdCalls.EFD_CLOEXEC : 0);
        return new EventFdFile(EventFdCalls.create(initialValue, flags), semaphore, closeOnExec);
    }

    /** The description is about to be shared (duplicated, sent to a peer): no more critical calls. */
    @Override
    public void shared() {
        critical = false;
    }

    /** Whether calls skip the thread transition; for tests. */
    public boolean critical() {
        return critical;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public boolean semaphore() {
        return semaphore;
    }

    @Override
    public boolean add(long n) throws IOException {
        // EAGAIN on a non-blocking eventfd write means count + n would pass 2^64 - 2.
        return FdCalls.write8(fd, n, critical, Native.scratch(), "write") != FdCalls.WOULD_BLOCK;
    }

    @Override
    public long take() throws IOException {
        long v = FdCalls.read8(fd, critical, Native.scratch(), "read");
        return v == FdCalls.WOULD_BLOCK ? 0 : v;
    }

    @Override
    public void close() throws IOException {
        FdCalls.close(fd);
    }

    @Override
    public String kind() {
        return "eventfd";
    }
}
