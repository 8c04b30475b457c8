package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.util.function.LongConsumer;

/**
 * A signal in an {@code EpollIoHandler} loop. Netty's register only records the handle in its
 * fd-keyed table; {@link #arm} submits {@code EPOLLIN}, which is the {@code EPOLL_CTL_ADD}.
 * Level-triggered: every wake-up consumes (a counter-mode read empties the eventfd, a semaphore-mode
 * read takes one), so a readable fd makes progress on each loop turn and an empty one is not
 * reported again; nothing spins and nothing pending is left unreported.
 */
final class EpollSignalHandle extends SignalHandle implements EpollIoHandle {
    private final FileDescriptor borrowed;

    /** Typed as the base class, so that a caller's verification does not load this class. */
    static SignalHandle create(IoEventLoop loop, WakeSignal signal, LongConsumer handler) {
        return new EpollSignalHandle(loop, signal, handler);
    }

    EpollSignalHandle(IoEventLoop loop, WakeSignal signal, LongConsumer handler) {
        super(loop, signal, handler);
        this.borrowed = new BorrowedFd(fd);
    }

    @Override
    public FileDescriptor fd() {
        return borrowed;
    }

    @Override
    String transport() {
        return "epoll";
    }

    @Override
    void arm(IoRegistration r) {
        r.submit(EpollIoOps.EPOLLIN);
    }

    @Override
    void disarm(IoRegistration r) {
        r.cancel(); // EPOLL_CTL_DEL and unregistered(), on this thread now
    }

    @Override
    public void handle(IoRegistration r, IoEvent event) {
        consumeAndDeliver();
    }

    /** Netty's view of an fd the signal owns: it never closes it, and it reads as open throughout. */
    private static final class BorrowedFd extends FileDescriptor {
        BorrowedFd(int fd) {
            super(fd);
        }

        @Override
        public void close() {
            // The WakeSignal owns the fd; SignalHandle's lease decides when it may close.
        }
    }
}
