package dev.wakefd.shm;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.shm.internal.PeerWatch;
import dev.wakefd.shm.internal.Region;
import dev.wakefd.shm.internal.Ring;
import dev.wakefd.shm.internal.SegmentMem;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What both ends share: the mapped region, this side's {@link Ring}, the eventfd it sleeps on
 * ({@code own}), the one it signals ({@code other}), the set-up socket kept open to notice the
 * peer hanging up, and close. One thread at a time uses an end; {@link #close()} may come from
 * any thread. Protocol: docs/design/shm-ring.md.
 */
abstract sealed class ShmEnd implements AutoCloseable permits ShmSender, ShmReceiver {
    final Region region;
    final Ring ring;
    final EventFd own;
    final EventFd other;
    private final FdSocket socket;
    private final Poller.Registration watch;
    final long peerPid;
    /** Set by the peer watch (then {@code own} is signalled, so a sleeper re-checks it). */
    volatile boolean peerGone;

    private final AtomicBoolean closed = new AtomicBoolean();
    volatile long spinNanos = Runtime.getRuntime().availableProcessors() > 1 ? 20_000 : 0;

    ShmEnd(Region region, EventFd own, EventFd other, FdSocket socket) throws IOException {
        this.region = region;
        this.own = own;
        this.other = other;
        this.socket = socket;
        this.peerPid = socket.peer().pid();
        this.ring = new Ring(new SegmentMem(region.segment()), region.capacity(), other::signal);
        this.watch = PeerWatch.watch(socket.fd(), this::peerHungUp);
    }

    private void peerHungUp() {
        peerGone = true;
        try {
            own.signal(); // a sleeper that missed the flag in its re-check wakes (eventfd counts persist)
        } catch (IOException ignored) {
            // closed meanwhile: nobody sleeps on it any more
        }
    }

    /**
     * How long a blocked call keeps looking at the ring before it sleeps in the kernel (default
     * 20 µs with more than one CPU, 0 with one). A look that finds work saves the other side a wake.
     *
     * @param spin how long to look before sleeping; zero sleeps at once
     * @throws IllegalArgumentException if negative
     */
    public void spinBeforeSleep(Duration spin) {
        if (spin.isNegative()) {
            throw new IllegalArgumentException("spinBeforeSleep " + spin + ": must not be negative");
        }
        spinNanos = spin.toNanos();
    }

    /**
     * The data area's size in bytes.
     *
     * @return the capacity given at creation
     */
    public int capacity() {
        return ring.capacity();
    }

    /**
     * The largest message this channel carries: capacity / 2 - 8 bytes.
     *
     * @return the largest message length in bytes
     */
    public int maxMessage() {
        return ring.maxMessage();
    }

    /**
     * The peer process's pid, as the kernel reported it when the set-up socket connected.
     *
     * @return the peer's pid
     */
    public long peerPid() {
        return peerPid;
    }

    /**
     * The eventfd this end sleeps on, for event loops: it turns readable when the other side
     * asks for this end to be woken (after {@code prepareToWait()} returned true), when the
     * peer closes or hangs up. Owned by the channel: never close it.
     *
     * @return this end's eventfd
     */
    public EventFd signal() {
        return own;
    }

    /**
     * Whether this end is still open.
     *
     * @return false once {@link #close()} was called or the channel was closed as corrupted
     */
    public boolean isOpen() {
        return !closed.get();
    }

    /** Waits on {@code own} with the given limit (nanos, negative = none); 0 if the limit passed. */
    final void sleep(long nanos) throws IOException, InterruptedException {
        if (nanos < 0) {
            own.await();
        } else {
            own.await(Duration.ofNanos(nanos));
        }
    }

    /** Turns a failure that happened because the region was unmapped by close() into ClosedChannelException. */
    final IOException closedOr(RuntimeException e) {
        if (closed.get() && e instanceof IllegalStateException) {
            ClosedChannelException c = new ClosedChannelException();
            c.initCause(e);
            return c;
        }
        throw e;
    }

    final void ensureOpen() throws ClosedChannelException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    /** Closes the channel because the region is corrupt, and hands the exception back to throw. */
    final ShmCorruptedException corrupted(ShmCorruptedException e) {
        release();
        ShmCorruptedException c = new ShmCorruptedException(
                "wakefd-shm region corrupted by the peer (pid " + peerPid + "), channel closed: " + e.getMessage());
        c.initCause(e);
        return c;
    }

    /** This side's part of closing, in shared memory (flag) and towards the peer (a wake). */
    abstract void closeShared() throws IOException;

    /**
     * Closes this end: tells the peer (the end-of-stream or abandoned flag, then a wake), stops
     * watching the peer, closes the socket and both eventfds (a call blocked on this end ends with
     * ClosedChannelException) and unmaps the region. Idempotent; safe from any thread.
     */
    @Override
    public void close() {
        if (closed.get()) {
            return;
        }
        try {
            closeShared();
            other.signal();
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone or the region is unusable: nothing more to tell it
        }
        release();
    }

    private void release() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        PeerWatch.cancel(watch);
        socket.close();
        own.close();
        other.close();
        region.close();
    }
}
