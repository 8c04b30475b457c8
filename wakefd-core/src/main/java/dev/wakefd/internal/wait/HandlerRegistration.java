package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * A persistent, level-triggered poller registration that calls a handler.
 *
 * <p>For a signal it holds a lease on the signal's fd from registration until after the epoll
 * entry is deleted, so neither epoll_ctl nor the consume in {@link #ready()} ever reaches a
 * released fd number; the signal's close listener cancels it. {@code lock} is held around each
 * dispatch and around cancel, which is what lets {@link #cancel()} promise that no handler call
 * is running or will start once it returns (the lock is reentrant, so a handler may cancel itself).
 */
public final class HandlerRegistration implements EpollLoop.Ready {
    private final Loop poller;
    private final Waitable signal; // null for a raw fd
    private final int fd;
    private final LongConsumer handler; // signals
    private final Runnable onReadable; // raw fds
    private final ReentrantLock lock = new ReentrantLock();
    private final Runnable onClose = this::cancel;
    private long id;
    private volatile boolean active = true;

    private HandlerRegistration(Loop poller, Waitable signal, int fd, LongConsumer handler, Runnable onReadable) {
        this.poller = poller;
        this.signal = signal;
        this.fd = fd;
        this.handler = handler;
        this.onReadable = onReadable;
    }

    public static HandlerRegistration forSignal(Loop poller, Waitable signal, LongConsumer handler) throws IOException {
        Site base = signal.site();
        if (!base.guard().acquire()) {
            throw base.closed();
        }
        HandlerRegistration r = new HandlerRegistration(poller, signal, base.fd(), handler, null);
        try {
            r.lock.lock();
            try {
                r.id = poller.add(r.fd, EPoll.EPOLLIN, r);
            } finally {
                r.lock.unlock();
            }
        } catch (IOException | RuntimeException e) {
            base.guard().release();
            throw e;
        }
        base.onClose(r.onClose); // runs cancel() at once if the signal closed meanwhile
        return r;
    }

    public static HandlerRegistration forFd(Loop poller, int fd, Runnable onReadable) throws IOException {
        HandlerRegistration r = new HandlerRegistration(poller, null, fd, null, onReadable);
        r.lock.lock();
        try {
            r.id = poller.add(fd, EPoll.EPOLLIN, r);
        } finally {
            r.lock.unlock();
        }
        return r;
    }

    @Override
    public void ready() {
        lock.lock();
        try {
            if (!active) {
                return;
            }
            if (signal == null) {
                runHandler(() -> onReadable.run());
                return;
            }
            long n;
            try {
                n = signal.consume();
            } catch (ClosedChannelException e) {
                return; // the close listener cancels this registration
            } catch (IOException e) {
                EpollLoop.logHandlerFailure("consume on fd " + fd, e);
                return;
            }
            if (n != 0) {
                runHandler(() -> handler.accept(n));
            }
        } finally {
            lock.unlock();
        }
    }

    private void runHandler(Runnable call) {
        try {
            call.run();
        } catch (Throwable t) {
            EpollLoop.logHandlerFailure("handler for fd " + fd, t);
        }
    }

    /** Stops calls; when it returns none runs or will start (unless called from the handler). */
    public void cancel() {
        lock.lock();
        try {
            if (!active) {
                return;
            }
            active = false;
            poller.remove(id, fd);
        } finally {
            lock.unlock();
        }
        if (signal != null) {
            Site base = signal.site();
            base.removeOnClose(onClose);
            base.guard().release(); // after the epoll entry is gone
        }
    }

    @Override
    public void pollerClosed() {
        cancel();
    }

    public boolean isActive() {
        return active;
    }

    @Override
    public String toString() {
        return "Poller.Registration[fd=" + fd + ", " + (active ? "active" : "cancelled") + "]";
    }
}
