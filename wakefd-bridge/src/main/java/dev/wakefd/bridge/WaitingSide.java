package dev.wakefd.bridge;

import dev.wakefd.Waker;
import java.util.function.BooleanSupplier;

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
    private long lastWaitIndex; // this side's index at its previous wait: plain, owner only (as the policy's fields)
    private final BooleanSupplier quiet = this::quiet; // made once: a wait allocates nothing
    private final BooleanSupplier otherWaking = this::otherWaking;

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

    /** This side woke the other side, which has not run since: it acts as soon as it does. */
    private boolean otherWaking() {
        return producer ? ring.consumerWokenNotRun() : ring.producerWokenNotRun();
    }

    /** Announces the wait and re-checks (S1, S2): true if it may now wait for its wake. */
    boolean prepareToWait() {
        return producer ? ring.producerPrepareToWait() : ring.consumerPrepareToWait();
    }

    /** The blocking caller about to announce, or null once it withdrew: a plain store (see {@link Sleeper}). */
    private void parking(Thread t) {
        if (producer) {
            ring.producerParking = t;
        } else {
            ring.consumerParking = t;
        }
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
        long index = producer ? ring.tail : ring.head; // this side's own index: its own line
        boolean lone = index - lastWaitIndex <= 1;
        lastWaitIndex = index;
        if (policy.look(quiet, otherWaking, untimed, deadline, lone)) {
            return true; // the other side acted while we looked: no sleep, no wake
        }
        parking(Thread.currentThread()); // before the announcement (see Sleeper)
        try {
            if (!prepareToWait()) {
                checkAfterWait();
                return true; // it acted meanwhile
            }
            try {
                return sleeper.park(untimed, deadline);
            } finally {
                withdraw();
                checkAfterWait();
            }
        } finally {
            parking(null); // after the withdrawal: a waker that still reads this thread leaves a spare permit
        }
    }
}
