package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The futures waiting on one signal through one loop, and the oneshot entry (in the loop's
 * futures set, so it never collides with a handler or a virtual-thread watch on the same fd)
 * that serves them. Exists only while at least one future waits: the first future adds the fd (taking a lease
 * on it), the last one served, cancelled or failed removes it (releasing the lease), so a signal
 * nobody waits on is not kept reachable by the poller.
 *
 * <h2>Why nothing is lost or counted twice</h2>
 * <ul>
 *   <li>State (queue, registered) changes only under {@code lock}; the epoll entry is armed
 *       exactly while the queue is non-empty, so a signal arriving while someone waits fires it.</li>
 *   <li>A count is consumed only under the lock and only for the head future, which is dequeued
 *       in the same section, so {@link Pending#cancel} (which withdraws under the lock) cannot
 *       cancel a future whose count is already taken: it returns false and the count arrives.</li>
 *   <li>A future completed by someone else meanwhile ({@code orTimeout}, {@code complete}) cannot
 *       take its count: {@code complete} then returns false and the count is put back with
 *       {@link #putBack}, so the sum consumed still equals the sum signalled.</li>
 *   <li>Readiness with nothing to read (another holder consumed first) consumes 0 and re-arms.</li>
 * </ul>
 */
final class AsyncWaits implements EpollLoop.Ready {
    private final Loop poller;
    private final Waitable signal;
    private final Site base;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Runnable onClose = this::signalClosed;
    private boolean registered; // epoll entry present and lease held
    private boolean retired; // this instance is done; a new one serves later futures
    private long id;

    private static final int EVENTS = EPoll.EPOLLIN | EPoll.EPOLLONESHOT;

    private AsyncWaits(Loop poller, Waitable signal) {
        this.poller = poller;
        this.signal = signal;
        this.base = signal.site();
    }

    /** A future that withdraws its interest when cancelled. */
    static final class Pending extends CompletableFuture<Long> {
        private volatile AsyncWaits owner;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            AsyncWaits o = owner;
            if (o != null && !o.withdraw(this)) {
                return isCancelled(); // already dequeued: its count is on the way
            }
            return super.cancel(mayInterruptIfRunning);
        }
    }

    /** Completes {@code p} with what is pending now, or with the consume's failure; false if nothing was. */
    private static boolean completedNow(Waitable signal, CompletableFuture<Long> p) {
        try {
            long v = signal.consume();
            if (v != 0) {
                p.complete(v);
                return true;
            }
            return false;
        } catch (IOException e) {
            p.completeExceptionally(e);
            return true;
        }
    }

    /** Without a loop (it could not be made): what is pending now, else the loop's failure. */
    static CompletableFuture<Long> consumeNowOrFail(Waitable signal, IOException noLoop) {
        CompletableFuture<Long> p = new CompletableFuture<>();
        if (!completedNow(signal, p)) {
            p.completeExceptionally(noLoop);
        }
        return p;
    }

    static CompletableFuture<Long> readAsync(Loop poller, Waitable signal) {
        Pending p = new Pending();
        if (completedNow(signal, p)) {
            return p;
        }
        while (true) {
            AsyncWaits w = poller.asyncWaits().computeIfAbsent(signal.site(), b -> new AsyncWaits(poller, signal));
            if (w.enqueue(p)) {
                return p;
            }
            poller.asyncWaits().remove(w.base, w); // retired meanwhile; a fresh one takes over
        }
    }

    private boolean enqueue(Pending p) {
        Throwable failure = null;
        lock.lock();
        try {
            if (retired) {
                return false;
            }
            p.owner = this;
            queue.add(p);
            if (!registered) {
                if (!base.guard().acquire()) {
                    failure = base.closed();
                } else {
                    try {
                        id = poller.addFuture(base.fd(), EVENTS, this);
                        registered = true;
                        base.onClose(onClose); // runs signalClosed() now if closed meanwhile
                    } catch (IOException | RuntimeException e) {
                        base.guard().release();
                        failure = e;
                    }
                }
                if (failure != null) {
                    queue.remove(p);
                    retireLocked();
                }
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            p.completeExceptionally(failure);
        }
        return true;
    }

    /** Poller thread: the oneshot fired. Serve the head of the queue, then re-arm or retire. */
    @Override
    public void ready() {
        List<Pending> served = new ArrayList<>(1);
        List<Long> counts = new ArrayList<>(1);
        Throwable failure = null;
        List<Pending> failed = null;
        lock.lock();
        try {
            if (!registered) {
                return;
            }
            while (!queue.isEmpty()) {
                Pending head = queue.peek();
                if (head.isDone()) { // cancelled or completed by its holder
                    queue.poll();
                    continue;
                }
                long v;
                try {
                    v = signal.consume();
                } catch (IOException e) {
                    failure = e;
                    break;
                }
                if (v == 0) {
                    break; // spurious: someone else consumed it
                }
                queue.poll();
                served.add(head);
                counts.add(v);
                if (!base.semaphore()) {
                    break; // counter mode: that read emptied the fd; a newer signal re-fires
                }
            }
            if (failure != null) {
                failed = new ArrayList<>(queue);
                queue.clear();
            }
            if (queue.isEmpty()) {
                retireLocked();
            } else {
                try {
                    if (!poller.rearmFuture(id, base.fd(), EVENTS)) {
                        failed = new ArrayList<>(queue);
                        failure = new AsynchronousCloseException();
                        queue.clear();
                        retireLocked();
                    }
                } catch (IOException e) {
                    failed = new ArrayList<>(queue);
                    failure = e;
                    queue.clear();
                    retireLocked();
                }
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < served.size(); i++) {
            if (!served.get(i).complete(counts.get(i))) {
                putBack(signal, counts.get(i));
            }
        }
        if (failed != null) {
            for (Pending p : failed) {
                p.completeExceptionally(failure);
            }
        }
    }

    /** Under the lock: drop the epoll entry and the lease; a later future starts afresh. */
    private void retireLocked() {
        retired = true;
        poller.asyncWaits().remove(base, this);
        if (registered) {
            registered = false;
            poller.removeFuture(id, base.fd());
            base.removeOnClose(onClose);
            base.guard().release();
        }
    }

    /** Cancel: true if the future was still queued (its interest is withdrawn). */
    private boolean withdraw(Pending p) {
        lock.lock();
        try {
            boolean removed = queue.remove(p);
            if (removed && queue.isEmpty() && !retired) {
                retireLocked();
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    private void signalClosed() {
        failAll(new AsynchronousCloseException());
    }

    @Override
    public void pollerClosed() {
        failAll(new AsynchronousCloseException());
    }

    private void failAll(Throwable cause) {
        List<Pending> failed;
        lock.lock();
        try {
            failed = new ArrayList<>(queue);
            queue.clear();
            if (!retired) {
                retireLocked();
            }
        } finally {
            lock.unlock();
        }
        for (Pending p : failed) {
            p.completeExceptionally(cause);
        }
    }

    /** Returns a consumed count to the signal when its future could not take it. */
    static void putBack(Waitable signal, long count) {
        try {
            signal.giveBack(count);
        } catch (IOException | RuntimeException e) {
            EpollLoop.logHandlerFailure(
                    "putting back a count of " + Long.toUnsignedString(count) + " on fd "
                            + signal.site().fd() + " (its future was completed by someone else)",
                    e);
        }
    }
}
