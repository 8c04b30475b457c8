package dev.wakefd.bridge;

/**
 * A bridge operation after a side closed: a send after the sender's {@code close()} (end of
 * stream), any operation after the receiver's {@code close()}, or a producer woken because the
 * receiver closed while it waited for room.
 *
 * <pre>{@code
 * try {
 *     sender.send(event);
 * } catch (BridgeClosedException e) {
 *     if (e.byReceiver()) stopProducing();   // the consumer went away
 *     else throw e;                          // our own bug: send after close()
 * }
 * }</pre>
 */
public final class BridgeClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    /** Whether the receiver's close caused this exception. */
    private final boolean byReceiver;

    BridgeClosedException(String message, boolean byReceiver) {
        super(message);
        this.byReceiver = byReceiver;
    }

    /** {@return true if the receiver's close caused this; false for the sender's own close} */
    public boolean byReceiver() {
        return byReceiver;
    }
}
