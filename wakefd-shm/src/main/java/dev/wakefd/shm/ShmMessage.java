package dev.wakefd.shm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A message read in place ({@link ShmReceiver#pollView()}): a read-only view of its bytes in
 * the shared region, valid until {@link #release()} (or close), which frees its space for the
 * sender. After the channel closes the view throws IllegalStateException; it never reaches
 * outside the record.
 */
public final class ShmMessage implements AutoCloseable {
    private final ShmReceiver owner;
    private final MemorySegment bytes;
    final long sequence;

    ShmMessage(ShmReceiver owner, MemorySegment bytes, long sequence) {
        this.owner = owner;
        this.bytes = bytes;
        this.sequence = sequence;
    }

    /**
     * The message's bytes, read-only, in shared memory.
     *
     * @return a read-only view, valid until {@link #release()}
     */
    public MemorySegment segment() {
        return bytes;
    }

    /**
     * The message's length.
     *
     * @return the length in bytes
     */
    public int length() {
        return (int) bytes.byteSize();
    }

    /**
     * A copy of the bytes.
     *
     * @return a new array holding the message
     */
    public byte[] toArray() {
        return bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /**
     * Frees the record for the sender; the view must not be used afterwards. Idempotent.
     *
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if the channel was closed meanwhile
     */
    public void release() throws IOException {
        owner.release(this);
    }

    @Override
    public void close() throws IOException {
        release();
    }
}
