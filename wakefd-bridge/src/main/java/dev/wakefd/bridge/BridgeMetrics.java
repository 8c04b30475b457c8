package dev.wakefd.bridge;

import java.time.Duration;

/**
 * A snapshot of a bridge's counters, from {@link Bridge#metrics()}. Each counter is read on its
 * own, so a snapshot taken while items flow is approximate (never torn within one counter).
 *
 * <pre>{@code
 * BridgeMetrics m = bridge.metrics();
 * log.info("{} items, {} wakes asked for, {} system calls ({} per item), full for {}",
 *         m.received(), m.wakesRequested(), m.systemCalls(), m.systemCallsPerItem(), m.timeFull());
 * }</pre>
 *
 * <p>Wakes asked for may exceed waits: when a sleeper's announcement and the other side's
 * publication cross, both see each other; the sleeper stays awake and the wake it was sent is
 * absorbed by its next wait (one spurious return, never a lost wake).
 *
 * @param sent items accepted by the sender
 * @param received items taken by the receiver ({@code sent - received} are in the bridge, or were
 *     left in it when the receiver closed)
 * @param consumerWakes wakes asked for because the consumer slept on an empty bridge
 * @param producerWakes wakes asked for because the producer slept on a full bridge
 * @param systemCalls {@code write(2)} calls the two Wakers made ({@link dev.wakefd.Waker#writes()}):
 *     wakes asked for while one was already pending cost none
 * @param unparks wakes delivered to a Java thread blocked in {@code send}/{@code receive} instead
 *     of writing an eventfd: an unpark for a virtual thread (no system call), at most one futex
 *     call for a platform thread (none if it had not started to sleep yet)
 * @param consumerWaits times the consumer announced a sleep and went to wait
 * @param producerWaits times the producer announced a sleep and went to wait
 * @param timeFull total time the producer found the bridge full, from the send that found it
 *     full to the first one that found room
 */
public record BridgeMetrics(
        long sent,
        long received,
        long consumerWakes,
        long producerWakes,
        long systemCalls,
        long unparks,
        long consumerWaits,
        long producerWaits,
        Duration timeFull) {

    /**
     * Wakes asked for, both directions.
     *
     * @return the number of wakes asked for, both directions
     */
    public long wakesRequested() {
        return consumerWakes + producerWakes;
    }

    /**
     * Wake system calls per item received, counting every unpark as one (an upper bound: a
     * virtual thread's costs none); 0 when nothing was received.
     *
     * @return wake system calls per item received, or 0
     */
    public double systemCallsPerItem() {
        return received == 0 ? 0 : (double) (systemCalls + unparks) / received;
    }
}
