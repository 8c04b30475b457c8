package dev.wakefd.shm;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import dev.wakefd.internal.Membarrier;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.shm.internal.Region;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The consuming end of a shared-memory channel (see {@link Shm} for set-up). Messages come in
 * the order sent, each whole: copied ({@link #receive()}, {@link #poll()}, {@link #drainTo}) or
 * read in place ({@link #pollView()}, {@link #drainViews}). End of stream (the sender closed and
 * everything it sent was taken) reads as {@code null} / {@code -1}; a sender that hung up or died
 * without closing ends the stream with {@link ShmClosedException} once every message it fully
 * published has been delivered.
 *
 * <pre>{@code
 * try (ShmReceiver in = Shm.acceptReceiver(FdSocket.connect(path), Duration.ofSeconds(5))) {
 *     for (byte[] m; (m = in.receive()) != null; ) {
 *         handle(m);
 *     }
 * }
 * }</pre>
 *
 * <p>Every position and length read from the shared region is checked before use; a region the
 * peer corrupted closes the channel with {@link ShmCorruptedException}. One thread at a time may
 * use a receiver; {@link #close()} may come from any thread.
 */
public final class ShmReceiver extends ShmEnd {
    private long received;
    private ShmMessage view; // the view handed out and not yet released, if any

    ShmReceiver(Region region, EventFd own, EventFd other, FdSocket socket) throws IOException {
        super(region, own, other, socket);
        if (Membarrier.globalAvailable()) {
            ring.declareSleepBarrier(
                    Membarrier::globalExpedited); // so the producer may stream: docs/design/shm-ring.md
        }
    }

    @Override
    boolean peerStreams() {
        return ring.producerStreams();
    }

    /**
     * The next message if one is there now, copied; null if none (see {@link #isEndOfStream()}).
     *
     * @return the message, or null if none is there now
     * @throws IllegalStateException if a view from {@link #pollView()} is still held
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     */
    public byte[] poll() throws IOException {
        int took = enter("poll");
        try {
            byte[] m = take();
            if (m != null) {
                ring.publishHead();
            }
            return m;
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /** Copies out the next message without freeing its space yet (the caller publishes the head). */
    private byte[] take() throws IOException {
        ensureOpen();
        checkNoView();
        long at = ring.next();
        if (at < 0) {
            return null;
        }
        int len = ring.nextLength();
        byte[] b = new byte[len];
        MemorySegment.copy(region.segment(), ValueLayout.JAVA_BYTE, at, b, 0, len);
        ring.consume();
        received++;
        return b;
    }

    private void checkNoView() {
        if (view != null) {
            throw new IllegalStateException("a view of message " + view.sequence
                    + " is still held: release() it before taking the next message");
        }
    }

    /**
     * The next message, in place: a read-only view of the record in shared memory, valid until
     * {@link ShmMessage#release()} (which frees its space for the sender). Null if none now.
     * The sender cannot overwrite a record before it is released, but the peer process can
     * write anything anywhere: copy what you must trust (bounds are always checked).
     *
     * @return the view, or null if no message is there now
     * @throws IllegalStateException if the previous view was not released
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     */
    public ShmMessage pollView() throws IOException {
        int took = enter("pollView");
        try {
            ensureOpen();
            checkNoView();
            long at = ring.next();
            if (at < 0) {
                return null;
            }
            view = new ShmMessage(
                    this, region.segment().asSlice(at, ring.nextLength()).asReadOnly(), received);
            return view;
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /** Called by {@link ShmMessage#release()}. */
    void release(ShmMessage m) throws IOException {
        if (view != m) {
            return; // released already
        }
        int took = enter("release");
        try {
            view = null;
            ring.consume();
            received++;
            ring.publishHead();
        } catch (IllegalStateException e) {
            throw closedOr(e);
        } finally {
            exit(took);
        }
    }

    /**
     * Hands up to {@code max} messages to {@code sink} in place (each view is valid only during
     * its call), frees their space with one store; returns how many, or -1 at end of stream.
     *
     * @param sink called with each message's read-only view
     * @param max the most messages to hand over
     * @return how many were handed over (0: none now), or -1 at end of stream
     * @throws IllegalStateException if a view from {@link #pollView()} is still held
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     */
    public int drainViews(Consumer<MemorySegment> sink, int max) throws IOException {
        int took = enter("drainViews");
        try {
            ensureOpen();
            checkNoView();
            int n = 0;
            long at;
            while (n < max && (at = ring.next()) >= 0) {
                sink.accept(region.segment().asSlice(at, ring.nextLength()).asReadOnly());
                ring.consume();
                received++;
                n++;
            }
            ring.publishHead();
            return n == 0 && ring.endOfStream() ? -1 : n;
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /**
     * Copies up to {@code max} messages that are there now to {@code sink}, frees their space
     * with one store; returns how many (0: none now), or -1 at end of stream.
     *
     * @param sink called with each message, copied
     * @param max the most messages to hand over
     * @return how many were handed over (0: none now), or -1 at end of stream
     * @throws ShmClosedException if nothing is left and the sender hung up without closing
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     */
    public int drainTo(Consumer<byte[]> sink, int max) throws IOException {
        int took = enter("drainTo");
        try {
            int n = 0;
            byte[] m;
            while (n < max && (m = take()) != null) {
                sink.accept(m);
                n++;
            }
            ring.publishHead();
            if (n == 0) {
                if (ring.endOfStream()) {
                    return -1;
                }
                checkPeer();
            }
            return n;
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /** The sender hung up: once everything it published was taken, say so. */
    private void checkPeer() throws IOException {
        if (peerGone() && ring.drained() && !ring.endOfStream()) { // peerGone first, then the tail and the flag
            throw new ShmClosedException("the sender (pid " + peerPid
                    + ") hung up (exited, was killed or closed its socket)" + " without closing the stream; all "
                    + received + " messages it fully published were delivered");
        }
    }

    /**
     * As {@link #receive(Duration)} with no limit.
     *
     * @return the next message, or null at end of stream
     * @throws ShmClosedException if nothing is left and the sender hung up without closing
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public byte[] receive() throws IOException, InterruptedException {
        return receive(null);
    }

    /**
     * The next message, copied, waiting for it (platform or virtual thread) at most {@code
     * timeout} (null: no limit). Null at end of stream.
     *
     * @param timeout how long to wait (null: no limit)
     * @return the next message, or null at end of stream
     * @throws SocketTimeoutException if no message came in time
     * @throws ShmClosedException if the sender hung up without closing (after every message it published)
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public byte[] receive(Duration timeout) throws IOException, InterruptedException {
        long deadline = timeout == null ? -1 : System.nanoTime() + timeout.toNanos();
        int took = enter("receive");
        try {
            while (true) {
                byte[] m = poll();
                if (m != null) {
                    return m;
                }
                if (!awaitMessage(deadline, timeout)) {
                    return null;
                }
            }
        } finally {
            exit(took);
        }
    }

    /**
     * Waits for messages and hands every one there to {@code sink} (at most {@code max}); returns
     * how many (at least 1), or -1 at end of stream.
     *
     * @param sink called with each message, copied
     * @param max the most messages to hand over
     * @return how many were handed over (at least 1), or -1 at end of stream
     * @throws ShmClosedException if nothing is left and the sender hung up without closing
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public int receiveMany(Consumer<byte[]> sink, int max) throws IOException, InterruptedException {
        return receiveBatch("receiveMany", () -> drainTo(sink, max));
    }

    /**
     * Waits for messages and hands every one there (at most {@code max}) to {@code sink} in
     * place, as {@link #drainViews}; returns how many (at least 1), or -1 at end of stream.
     *
     * @param sink called with each message's read-only view, valid only during the call
     * @param max the most messages to hand over
     * @return how many were handed over (at least 1), or -1 at end of stream
     * @throws ShmClosedException if nothing is left and the sender hung up without closing
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public int receiveViews(Consumer<MemorySegment> sink, int max) throws IOException, InterruptedException {
        return receiveBatch("receiveViews", () -> drainViews(sink, max));
    }

    /** A drain that never waits: how many it handed over, 0 for none now, -1 at end of stream. */
    @FunctionalInterface
    private interface Drain {
        int drain() throws IOException;
    }

    /** Drains, waiting while there is nothing; returns how many (at least 1), or -1 at end of stream. */
    private int receiveBatch(String operation, Drain drain) throws IOException, InterruptedException {
        int took = enter(operation);
        try {
            while (true) {
                int n = drain.drain();
                if (n != 0) {
                    return n;
                }
                if (!awaitMessage(-1, null)) {
                    return -1;
                }
            }
        } finally {
            exit(took);
        }
    }

    /** Waits until a message may be there (or the end, a hang-up, the deadline); false at end of stream. */
    private boolean awaitMessage(long deadline, Duration timeout) throws IOException, InterruptedException {
        try {
            if (ring.endOfStream()) {
                return false;
            }
            checkPeer();
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        }
        await(() -> !ring.drained() || ring.producerClosed() || peerGone(), deadline, timeout);
        return true;
    }

    @Override
    SocketTimeoutException timeout(Duration timeout) {
        return new SocketTimeoutException(
                "receive: no message from the sender (pid " + peerPid + ") within " + timeout);
    }

    @Override
    boolean announce(boolean clearFirst) throws IOException {
        return ring.consumerPrepareToWait(clearFirst);
    }

    @Override
    void withdraw() {
        ring.consumerWithdraw();
    }

    /**
     * True once the sender closed and every message was taken.
     *
     * @return whether the stream has ended
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     */
    public boolean isEndOfStream() throws IOException {
        int took = enter("isEndOfStream");
        try {
            return ring.endOfStream();
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /**
     * The next message, completed on the caller's thread if one is there, else on wakefd's
     * shared poller thread when one arrives; null at end of stream.
     *
     * @return a future of the next message (null at end of stream), or completed exceptionally with the failure
     */
    public CompletableFuture<byte[]> receiveAsync() {
        int took;
        try {
            took = enter("receiveAsync");
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            byte[] m = poll();
            if (m != null) {
                return CompletableFuture.completedFuture(m);
            }
            if (ring.endOfStream()) {
                return CompletableFuture.completedFuture(null);
            }
            checkPeer();
            if (!prepareToWait()) {
                return receiveAsync();
            }
            return own.readAsync().thenCompose(n -> {
                ring.consumerWithdraw();
                return receiveAsync();
            });
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            exit(took);
        }
    }

    /**
     * Hands every message to {@code onMessage} on the poller's thread (in rounds of at most 1024,
     * so other fds get their turn), then calls {@code onEnd} once: with null at end of stream, or
     * with the exception that ended the stream (hang-up, corruption, close). Cancel the
     * registration before closing the receiver.
     *
     * @param poller the poller whose thread runs the callbacks
     * @param onMessage called with each message, copied
     * @param onEnd called once: with null at end of stream, else with the exception that ended it
     * @return the registration; cancel it before closing the receiver
     * @throws IOException if the poller cannot register this end's eventfd, or signalling it fails
     */
    public Poller.Registration register(Poller poller, Consumer<byte[]> onMessage, Consumer<IOException> onEnd)
            throws IOException {
        Objects.requireNonNull(onMessage, "register: onMessage is null");
        Objects.requireNonNull(onEnd, "register: onEnd is null");
        boolean[] ended = new boolean[1];
        Poller.Registration r = poller.register(own, n -> {
            if (ended[0]) {
                return;
            }
            ring.consumerWithdraw();
            try {
                for (int rounds = 0; ; rounds++) {
                    int k = drainTo(onMessage, 1024);
                    if (k < 0) {
                        ended[0] = true;
                        onEnd.accept(null);
                        return;
                    }
                    if (k == 1024 && rounds > 0) {
                        own.signal(); // more to do: come back after the poller's other fds
                        return;
                    }
                    if (k == 0 && prepareToWait()) {
                        return;
                    }
                }
            } catch (IOException e) {
                ended[0] = true;
                onEnd.accept(e);
            }
        });
        own.signal(); // messages sent before the registration
        return r;
    }

    /**
     * Messages taken so far.
     *
     * @return the count of messages taken
     */
    public long received() {
        return received;
    }

    @Override
    void closeShared() throws IOException {
        ring.consumerClose();
    }

    @Override
    public String toString() {
        return "ShmReceiver[capacity=" + capacity() + ", peer pid=" + peerPid + ", received=" + received
                + (isOpen() ? "" : ", closed") + "]";
    }
}
