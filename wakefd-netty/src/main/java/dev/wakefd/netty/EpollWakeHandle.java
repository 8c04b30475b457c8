package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import dev.wakefd.internal.Internals;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * A signal inside a Netty epoll loop.
 *
 * <h2>Why Netty never touches a released fd number</h2>
 * A lease on the signal's fd ({@link Internals.Access#acquire}) is taken before Netty sees the
 * fd and returned only in {@link #unregistered()}, which Netty calls on the loop thread after its
 * epoll_ctl(DEL). Closing the signal therefore cannot release the number while Netty may still
 * issue epoll_ctl on it: the signal's close listener only asks Netty to cancel; Netty deletes the
 * fd from its epoll set (the fd is still open: we hold the lease), calls unregistered(), and the
 * last lease out closes the number. Netty's {@link FileDescriptor} view here never closes the fd
 * itself: it only tracks Netty's "open" flag, which we clear in unregistered(), so Netty skips any
 * later epoll_ctl for it. {@link #close()} is idempotent, since Netty calls it after
 * unregistered() when a loop shuts down.
 */
final class EpollWakeHandle implements EpollIoHandle, NettyWake.Registration {
    private static final System.Logger LOG = System.getLogger(EpollWakeHandle.class.getName());

    private final IoEventLoop loop;
    private final WakeSignal signal;
    private final LongConsumer handler;
    private final BorrowedFd fd;
    private final AtomicBoolean leaseReturned = new AtomicBoolean();
    private final Runnable onSignalClose = this::cancel;
    private volatile IoRegistration registration;
    private volatile boolean active = true;

    private EpollWakeHandle(IoEventLoop loop, WakeSignal signal, LongConsumer handler) {
        this.loop = loop;
        this.signal = signal;
        this.handler = handler;
        this.fd = new BorrowedFd(signal.fd());
        this.key = new LoopFd(loop, signal.fd());
    }

    /** (loop, fd) pairs registered now: Netty keys its epoll registrations by fd number. */
    private static final java.util.Set<Object> REGISTERED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private record LoopFd(IoEventLoop loop, int fd) {}

    private final LoopFd key;

    /**
     * Takes the lease that keeps the fd number ours until Netty lets go of it, and claims the
     * (loop, fd) pair: a second registration of the same fd with the same loop is refused here
     * (Netty itself would fail it with EEXIST, or trip an assertion under -ea).
     */
    static EpollWakeHandle lease(IoEventLoop loop, WakeSignal signal, LongConsumer handler) throws ClosedChannelException {
        if (!Internals.access().acquire(signal)) {
            throw new ClosedChannelException();
        }
        EpollWakeHandle h = new EpollWakeHandle(loop, signal, handler);
        if (!REGISTERED.add(h.key)) {
            Internals.access().release(signal);
            throw new IllegalStateException("register: fd " + signal.fd() + " is already registered with this loop "
                    + "(Netty keys registrations by fd number); register a duplicate() of the signal instead");
        }
        return h;
    }

    /** On the loop, once registered: ask for EPOLLIN (registration alone adds the fd with no events). */
    void armed(IoRegistration reg, Promise<NettyWake.Registration> promise) {
        registration = reg;
        reg.submit(EpollIoOps.EPOLLIN);
        // Once the loop has terminated its epoll fd is gone and Netty will not call us again:
        // whatever it did not unregister is unregistered here (idempotent), so the lease returns.
        loop.terminationFuture().addListener(f -> unregistered());
        Internals.access().onClose(signal, onSignalClose); // cancels at once if the signal closed meanwhile
        promise.setSuccess(this);
    }

    void failedToRegister() {
        active = false;
        returnLease();
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    /** Loop thread: the fd is readable. Consume (so level-triggered epoll does not spin) and call the handler. */
    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        if (!active) {
            return;
        }
        long n;
        try {
            n = signal.consume();
        } catch (ClosedChannelException closed) {
            return; // the close listener cancels us
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "wakefd-netty: consume on fd " + fd.intValue() + " failed", e);
            return;
        }
        if (n != 0) {
            try {
                handler.accept(n);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "wakefd-netty: handler for fd " + fd.intValue() + " threw; the loop goes on", t);
            }
        }
    }

    @Override
    public void unregistered() {
        active = false;
        fd.markReleased();
        Internals.access().removeOnClose(signal, onSignalClose);
        returnLease();
    }

    private void returnLease() {
        if (leaseReturned.compareAndSet(false, true)) {
            REGISTERED.remove(key); // before the release: the number is still ours here
            Internals.access().release(signal);
        }
    }

    @Override
    public void cancel() {
        active = false;
        IoRegistration reg = registration;
        if (reg != null) {
            try {
                reg.cancel(); // Netty runs the DEL and unregistered() on the loop thread
            } catch (java.util.concurrent.RejectedExecutionException loopGone) {
                // the loop is shutting down: its termination listener unregisters us
            }
        }
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public IoEventLoop loop() {
        return loop;
    }

    /** Netty calls this when the loop shuts down, after unregistered(); idempotent. */
    @Override
    public void close() {
        cancel();
    }

    @Override
    public String toString() {
        return "NettyWake.Registration[fd=" + fd.intValue() + ", " + (active ? "active" : "cancelled") + "]";
    }

    /** Netty's view of a fd that wakefd owns: "closing" it only tells Netty to stop using it. */
    static final class BorrowedFd extends FileDescriptor {
        BorrowedFd(int fd) {
            super(fd);
        }

        void markReleased() {
            markClosed();
        }

        @Override
        public void close() {
            markClosed(); // never close(2): the signal owns the fd
        }
    }
}
