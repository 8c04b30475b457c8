package dev.wakefd.internal.wait;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.ModelChecks;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck explores every interleaving of the sub-poller's turns (the real
 * {@link VirtualPoller#turn}), writers outside the JVM and the master poller, over an in-memory
 * kernel: the sub set's readiness, the master's oneshot entry for it (armed or not, with an event
 * queued or not) and the sub-poller's park permit. After each run it checks the hand-off's
 * invariant (docs/design/waits.md, "The sub-poller hand-off"): the sub-poller never sleeps while an
 * event is pending in its set and nothing will unpark it (no master event queued, no permit).
 * Two negative controls break the order (the sub-poller parks before it arms; the arm ignores
 * readiness that is already there, as an edge-only registration would) and must be caught.
 */
class VirtualPollerModelCheckTest {

    enum Order {
        REAL,
        PARK_BEFORE_ARM,
        ARM_IGNORES_READINESS
    }

    /** Set before each check; Lincheck makes the model with its no-argument constructor. */
    static volatile Order order = Order.REAL;

    public static class Model {
        // The kernel, changed atomically (the kernel's locks): one lock for all of it.
        private boolean subReady; // the sub set has a ready entry (a foreign write not yet polled)
        private boolean armed; // the master's oneshot entry for the sub set is armed
        private boolean masterEvent; // the master's epoll_wait will report the sub set
        // The sub-poller thread's state (the park permit is LockSupport's).
        private boolean permit;
        private boolean asleep;
        private boolean armAfterWake; // PARK_BEFORE_ARM only: the arm it owes

        final VirtualPoller.Steps steps = new VirtualPoller.Steps() {
            @Override
            public int poll() {
                synchronized (Model.this) {
                    if (subReady) {
                        subReady = false; // edge-triggered entries: the event is taken and dispatched
                        return 1;
                    }
                    return 0;
                }
            }

            @Override
            public boolean arm() {
                synchronized (Model.this) {
                    // EPOLL_CTL_MOD: an entry whose fd is already readable is reported at once
                    if (subReady && order != Order.ARM_IGNORES_READINESS) {
                        masterEvent = true;
                        armed = false;
                    } else {
                        armed = true;
                    }
                    return true;
                }
            }
        };

        /** A write from outside the JVM to a watched fd: the sub set becomes ready. */
        @Operation
        public void foreignWrite() {
            synchronized (this) {
                subReady = true;
                if (armed) { // the nested set's wake-up fires the armed oneshot entry
                    armed = false;
                    masterEvent = true;
                }
            }
        }

        /** The master's epoll_wait returns the sub set's event: unpark the sub-poller. */
        @Operation(nonParallelGroup = "master")
        public void master() {
            synchronized (this) {
                if (masterEvent) {
                    masterEvent = false;
                    permit = true; // LockSupport.unpark: ends the park, or waits as the permit
                }
            }
        }

        /** One turn of the sub-poller, or nothing while it sleeps with no permit. */
        @Operation(nonParallelGroup = "sub")
        public void subPoller() throws Exception {
            synchronized (this) {
                if (asleep) {
                    if (!permit) {
                        return; // still parked
                    }
                    permit = false;
                    asleep = false;
                }
            }
            int outcome;
            if (order == Order.PARK_BEFORE_ARM) {
                if (armAfterWake) {
                    armAfterWake = false;
                    steps.arm();
                }
                outcome = steps.poll() != 0 ? VirtualPoller.FOUND : VirtualPoller.PARK;
                armAfterWake = outcome == VirtualPoller.PARK;
            } else {
                outcome = VirtualPoller.turn(steps);
            }
            if (outcome == VirtualPoller.PARK) {
                synchronized (this) {
                    if (permit) {
                        permit = false; // an unpark came first: park returns at once
                    } else {
                        asleep = true;
                    }
                }
            }
        }

        @Validate
        public void noLostWake() {
            synchronized (this) {
                if (asleep && !permit && !masterEvent && subReady) {
                    throw new AssertionError("lost wake-up: a foreign write is pending in the sub set while"
                            + " the sub-poller sleeps with nothing to unpark it (armed=" + armed + ")");
                }
            }
        }
    }

    private static ModelCheckingOptions options() {
        return ModelChecks.threeThreads(40, 3);
    }

    @Test
    void theHandOffLosesNoForeignWrite() {
        order = Order.REAL;
        options().check(Model.class);
    }

    @Test
    void theCheckCatchesASubPollerThatParksBeforeItArms() {
        assertCaught(Order.PARK_BEFORE_ARM);
    }

    @Test
    void theCheckCatchesAnArmThatIgnoresReadinessAlreadyThere() {
        assertCaught(Order.ARM_IGNORES_READINESS);
    }

    private static void assertCaught(Order broken) {
        order = broken;
        try {
            assertThatThrownBy(() -> options().check(Model.class))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("lost wake-up");
        } finally {
            order = Order.REAL;
        }
    }
}
