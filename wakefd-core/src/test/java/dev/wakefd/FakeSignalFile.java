package dev.wakefd;

import dev.wakefd.internal.SignalFile;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory eventfd for model checking: the kernel's counter as an AtomicLong, fd -1. */
final class FakeSignalFile implements SignalFile {
    static final long MAX = 0xffff_ffff_ffff_fffeL;
    final AtomicLong count = new AtomicLong();
    final AtomicLong writes = new AtomicLong();

    @Override
    public int fd() {
        return -1;
    }

    @Override
    public boolean semaphore() {
        return false;
    }

    @Override
    public boolean add(long n) {
        writes.incrementAndGet();
        while (true) {
            long c = count.get();
            if (Long.compareUnsigned(c + n, MAX) > 0 || Long.compareUnsigned(c + n, c) < 0) {
                return false;
            }
            if (count.compareAndSet(c, c + n)) {
                return true;
            }
        }
    }

    @Override
    public long take() {
        return count.getAndSet(0);
    }

    @Override
    public void close() {}

    @Override
    public String kind() {
        return "fake";
    }

    boolean readable() {
        return count.get() != 0;
    }
}
