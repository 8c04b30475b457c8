package dev.wakefd.shm;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import dev.wakefd.internal.Membarrier;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.shm.internal.Region;
import dev.wakefd.shm.internal.Ring;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The producing end of a shared-memory channel (see {@link Shm} for set-up): variable-length
 * byte messages, copied into the ring and published with one store; the consumer is woken only
 * when it said it was going to sleep (empty to non-empty). When the ring is full, {@code offer}
 * returns false and {@code send} waits (platform or virtual thread) until the consumer has freed
 * an eighth of the ring, or the message's room.
 *
 * <pre>{@code
 * try (FdListener l = FdListener.bind(path);
 *      ShmSender out = Shm.createSender(l.accept(), 1 << 20)) {
 *     out.send("hello".getBytes(StandardCharsets.UTF_8));
 * }   // close() = end of stream: the receiver gets every message, then null
 * }</pre>
 *
 * <p>One thread at a time may use a sender; {@link #close()} may come from any thread.
 */
public final class ShmSender extends ShmEnd {

    ShmSender(Region region, EventFd own, EventFd other, FdSocket socket) throws IOException {
        super(region, own, other, socket);
        if (Membarrier.globalAvailable()) {
            // streams (publishes without a fence) to a consumer that declared its barrier: docs/design/shm-ring.md
            ring.allowStreaming(
                    () -> {
                        if (!Membarrier.registerGlobalExpedited()) {
                            throw new IOException("membarrier(REGISTER_GLOBAL_EXPEDITED) failed");
                        }
                    },
                    Ring.STREAM_AFTER);
        }
    }

    /**
     * Copies the message into the ring if it fits now; false if the ring is full.
     *
     * @param message the bytes to send, at most {@link #maxMessage()} long
     * @return true if it was sent, false if there is no room now
     * @throws ShmClosedException if the receiver closed or hung up (the message was not sent)
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed, or a system call fails
     */
    public boolean offer(byte[] message) throws IOException {
        return offer(message, 0, message.length);
    }

    /**
     * As {@link #offer(byte[])} for {@code message[offset, offset + length)}.
     *
     * @param message the array holding the bytes to send
     * @param offset where the message starts in the array
     * @param length the message's length, at most {@link #maxMessage()}
     * @return true if it was sent, false if there is no room now
     * @throws IndexOutOfBoundsException if the range is not inside the array
     * @throws ShmClosedException if the receiver closed or hung up (the message was not sent)
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed, or a system call fails
     */
    public boolean offer(byte[] message, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, message.length);
        int took = enter("offer");
        try {
            if (!put(message, offset, length)) {
                return false;
            }
            ring.publish();
            return true;
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /**
     * As {@link #offer(byte[])} for the buffer's remaining bytes; its position moves past them if sent.
     *
     * @param message the buffer whose remaining bytes are the message
     * @return true if it was sent, false if there is no room now (the position is unchanged)
     * @throws ShmClosedException if the receiver closed or hung up (the message was not sent)
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed, or a system call fails
     */
    public boolean offer(ByteBuffer message) throws IOException {
        int len = message.remaining();
        int took = enter("offer");
        try {
            checkSendable();
            long at = ring.claim(len);
            if (at < 0) {
                return false;
            }
            MemorySegment.copy(MemorySegment.ofBuffer(message), 0, region.segment(), at, len);
            ring.commit();
            ring.publish();
            message.position(message.position() + len);
            return true;
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /** Copies without publishing; false if no room. */
    private boolean put(byte[] m, int off, int len) throws IOException {
        checkSendable();
        long at = ring.claim(len);
        if (at < 0) {
            return false;
        }
        MemorySegment.copy(m, off, region.segment(), ValueLayout.JAVA_BYTE, at, len);
        ring.commit();
        return true;
    }

    private void checkSendable() throws IOException {
        ensureOpen();
        if (ring.consumerClosed()) {
            throw new ShmClosedException(
                    "the receiver (pid " + peerPid + ") closed the channel; this message was not sent");
        }
        if (peerGone()) {
            throw new ShmClosedException("the receiver (pid " + peerPid + ") hung up (exited or closed its socket)"
                    + " without closing the channel; this message was not sent");
        }
    }

    /**
     * Sends the message, waiting while the ring is full.
     *
     * @param message the bytes to send, at most {@link #maxMessage()} long
     * @throws ShmClosedException if the receiver closed or hung up (the message was not sent)
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed, or a system call fails
     * @throws InterruptedException if the thread was interrupted while waiting (the message was not sent)
     */
    public void send(byte[] message) throws IOException, InterruptedException {
        send(message, null);
    }

    /**
     * Sends the message, waiting at most {@code timeout} (null: no limit) while the ring is full.
     *
     * @param message the bytes to send, at most {@link #maxMessage()} long
     * @param timeout how long to wait for room (null: no limit)
     * @throws SocketTimeoutException if there was no room within the timeout (nothing was sent)
     * @throws ShmClosedException if the receiver closed or hung up
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed, or a system call fails
     * @throws InterruptedException if the thread was interrupted while waiting (the message was not sent)
     */
    public void send(byte[] message, Duration timeout) throws IOException, InterruptedException {
        Objects.requireNonNull(message, "send: message is null");
        long deadline = timeout == null ? -1 : System.nanoTime() + timeout.toNanos();
        int took = enter("send");
        try {
            while (!offer(message)) {
                awaitRoom(message.length, deadline, timeout);
            }
        } finally {
            exit(took);
        }
    }

    /**
     * Sends every message in order, waiting while the ring is full: as many as fit are copied
     * and published with one store (one wake check), then the rest after room appears.
     *
     * @param messages the messages to send, in order
     * @throws ShmClosedException if the receiver closed or hung up (the messages before were sent)
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed, or a system call fails
     * @throws InterruptedException if the thread was interrupted while waiting for room
     */
    public void sendMany(List<byte[]> messages) throws IOException, InterruptedException {
        int i = 0, n = messages.size();
        int took = enter("sendMany");
        try {
            while (i < n) {
                int k = offerMany(messages, i);
                i += k;
                if (i < n && k == 0) {
                    awaitRoom(messages.get(i).length, -1, null);
                }
            }
        } finally {
            exit(took);
        }
    }

    /**
     * Copies messages from index {@code from} while they fit and publishes them at once; returns how many.
     *
     * @param messages the messages to send, in order
     * @param from the index of the first message to send
     * @return how many were sent (0: no room for the first)
     * @throws ShmClosedException if the receiver closed or hung up (the message was not sent)
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed, or a system call fails
     */
    public int offerMany(List<byte[]> messages, int from) throws IOException {
        int k = 0;
        int took = enter("offerMany");
        try {
            for (int i = from; i < messages.size(); i++, k++) {
                byte[] m = messages.get(i);
                if (!put(m, 0, m.length)) {
                    break;
                }
            }
            ring.publish();
            return k;
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /** Waits until the consumer may have freed room for {@code len} bytes (or closed, hung up, the deadline). */
    private void awaitRoom(int len, long deadline, Duration timeout) throws IOException, InterruptedException {
        try {
            checkSendable();
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        }
        await(() -> ring.fits(len) || ring.consumerClosed() || peerGone(), deadline, timeout);
    }

    @Override
    SocketTimeoutException timeout(Duration timeout) {
        return new SocketTimeoutException("send: no room for the message within " + timeout + " (the receiver, pid "
                + peerPid + ", is not keeping up)");
    }

    @Override
    boolean announce(boolean clearFirst) throws IOException {
        return ring.producerPrepareToWait(clearFirst);
    }

    @Override
    void withdraw() {
        ring.producerWithdraw();
    }

    /**
     * Sends on the caller's thread if there is room, else completes on wakefd's shared poller
     * thread once it was sent (or exceptionally).
     *
     * @param message the bytes to send, at most {@link #maxMessage()} long
     * @return a future completed once the message was sent, or exceptionally with the failure
     */
    public CompletableFuture<Void> sendAsync(byte[] message) {
        int took;
        try {
            took = enter("sendAsync");
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            if (offer(message)) {
                return CompletableFuture.completedFuture(null);
            }
            if (!prepareToWait()) {
                return sendAsync(message);
            }
            return own.readAsync().thenCompose(n -> {
                ring.producerWithdraw();
                return sendAsync(message);
            });
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            exit(took);
        }
    }

    /**
     * Calls {@code onWritable} on the poller thread whenever a wait announced by
     * {@link #prepareToWait()} ends (room, or the receiver closed: the next offer says which).
     *
     * @param poller the poller whose thread runs {@code onWritable}
     * @param onWritable called when offering may succeed again
     * @return the registration; cancel it before closing the sender
     * @throws IOException if the poller cannot register this end's eventfd
     */
    public Poller.Registration register(Poller poller, Runnable onWritable) throws IOException {
        Objects.requireNonNull(onWritable, "register: onWritable is null");
        return poller.register(own, n -> {
            withdraw(); // the wait announced by prepareToWait() is over
            onWritable.run();
        });
    }

    /**
     * Bytes of the ring in use as this end last saw them (sent, not yet consumed).
     *
     * @return the bytes in use
     */
    public long usedBytes() {
        return ring.usedBytes();
    }

    @Override
    void closeShared() throws IOException {
        ring.producerClose();
    }

    @Override
    public String toString() {
        return "ShmSender[capacity=" + capacity() + ", peer pid=" + peerPid + (isOpen() ? "" : ", closed") + "]";
    }
}
