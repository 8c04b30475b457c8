package dev.wakefd.bridge;

import dev.wakefd.Waker;

/**
 * One side of a bridge as a waiter: the ring's announce/re-check/withdraw steps for that side, its
 * {@link WaitPolicy}, {@link Sleeper}, {@link Waker} and {@link SideOwner}. The blocking wait
 * ({@link #await}) and the future's wait ({@link AsyncWait}) both go through these steps, so the
 * no-lost-wake argument in {@link Ring} covers both (docs/design/bridge-ring.md).
 */
final class WaitingSide {
    final Bridge<?> bridge;
    final Ring ring;
    private final boolean producer;
    private final WaitPolicy policy;
    private final Sleeper sleeper;
    final Waker signal;
    final SideOwner owner;

    WaitingSide(Bridge<?> bridge, boolean producer) {
        this.bridge = bridge;
        this.ring = bridge.ring();
        this.producer = producer;
        this.policy = producer ? bridge.producerPolicy : bridge.consumerPolicy;
        this.sleeper = producer ? bridge.producerSleeper : bridge.consumerSleeper;
        this.signal = producer ? bridge.notFull() : bridge.notEmpty();
        this.owner = new SideOwner(producer ? "producer" : "consumer");
    }

    /** Nothing for this side to do yet (no item, or too little room, and no close). */
    private boolean quiet() {
        return producer ? ring.quietForProducer() : ring.quietForConsumer();
    }

    /** Announces the wait and re-checks (S1, S2): true if it may now wait for its wake. */
    boolean prepareToWait() {
        return producer ? ring.producerPrepareToWait() : ring.consumerPrepareToWait();
    }

    /** Takes back the announcement, if any: this side is awake. */
    void withdraw() {
        if (producer) {
            ring.producerWithdraw();
        } else {
            ring.consumerWithdraw();
        }
    }

    /** After a wait: a producer reports a close (a close wakes the waiter). */
    private void checkAfterWait() {
        if (producer) {
            ring.checkSendable();
        }
    }

    /**
     * One look/announce/re-check/park round of a blocked caller; false if the deadline passed. The
     * side's {@link WaitPolicy} decides how to look; sleeping is always announced (see
     * {@link Sleeper}).
     */
    boolean await(boolean untimed, long deadline) throws InterruptedException {
        long start = System.nanoTime();
        if (policy.look(this::quiet)) {
            policy.observed(start, System.nanoTime());
            return true; // the other side acted while we looked: no sleep, no wake
        }
        sleeper.parking(Thread.currentThread()); // before the announcement
        try {
            if (!prepareToWait()) {
                policy.observed(start, System.nanoTime());
                checkAfterWait();
                return true; // it acted meanwhile
            }
            boolean inTime;
            try {
                inTime = sleeper.park(untimed, deadline);
            } finally {
                withdraw();
                checkAfterWait();
            }
            long now = System.nanoTime();
            long asked = sleeper.wakeAskedAt(); // when the other side acted, if it woke us for this wait
            policy.observed(start, asked - start > 0 && asked - now <= 0 ? asked : now);
            return inTime;
        } finally {
            sleeper.awake();
        }
    }
}
