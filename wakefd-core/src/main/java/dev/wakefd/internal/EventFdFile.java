package dev.wakefd.internal;

import java.io.IOException;

/**
 * {@link SignalFile} over a Linux eventfd: one fd, the counter kept by the kernel.
 *
 * @param exclusive whether this JVM created the fd non-blocking and nobody else holds its open
 *     file description (so no one can make it blocking): short calls may then be critical
 */
public record EventFdFile(int fd, boolean semaphore, boolean exclusive) implements SignalFile {

    public static EventFdFile create(int initialValue, boolean semaphore, boolean closeOnExec) throws IOException {
        int flags = EventFdCalls.EFD_NONBLOCK
                | (semaphore ? EventFdCalls.EFD_SEMAPHORE : 0)
                | (closeOnExec ? EventFdCalls.EFD_CLOEXEC : 0);
        // An inheritable fd may reach a child that clears O_NONBLOCK: never exclusive.
        return new EventFdFile(EventFdCalls.create(initialValue, flags), semaphore, closeOnExec);
    }

    @Override
    public boolean callsCannotBlock() {
        return exclusive;
    }

    // EAGAIN on a non-blocking eventfd write means count + n would pass 2^64 - 2: nothing added.
    @Override
    public boolean add(long n) throws IOException {
        return FdCalls.write8(fd, n, "write") != FdCalls.WOULD_BLOCK;
    }

    @Override
    public boolean addShort(long n) throws IOException {
        return FdCalls.write8Critical(fd, n, "write") != FdCalls.WOULD_BLOCK;
    }

    // EAGAIN on a read: the count is 0.
    @Override
    public long take() throws IOException {
        return orZero(FdCalls.read8(fd, "read"));
    }

    @Override
    public long takeShort() throws IOException {
        return orZero(FdCalls.read8Critical(fd, "read"));
    }

    private static long orZero(long read) {
        return read == FdCalls.WOULD_BLOCK ? 0 : read;
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
