package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.ModelChecks;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck explores the interleavings of producers (publish work, wake) and the consumer (drain,
 * then take the work) on a Waker over a fake kernel, and checks after each run the no-lost-wake
 * invariant: work that nobody took is always announced by a readable fd, so a sleeping consumer
 * wakes for it. The same check fails on the reversed drain order, which shows it can fail.
 */
class WakerModelCheckTest {

    /** The real Waker. */
    public static class RealProtocol {
        final FakeSignalFile kernel = new FakeSignalFile();
        final Waker waker = new Waker(new EventFd(kernel));
        final AtomicInteger work = new AtomicInteger();

        @Operation
        public void produce() {
            work.incrementAndGet();
            waker.wake();
        }

        @Operation(nonParallelGroup = "consumer")
        public int consume() throws Exception {
            waker.drain();
            return work.getAndSet(0);
        }

        @Validate
        public void noLostWake() {
            if (work.get() != 0 && !kernel.readable()) {
                throw new AssertionError("lost wake-up: " + work.get() + " unseen, fd empty, state " + waker);
            }
        }
    }

    /** The same protocol with drain's two steps reversed (flag first): must be caught. */
    public static class ReversedDrain {
        final FakeSignalFile kernel = new FakeSignalFile();
        final java.util.concurrent.atomic.AtomicBoolean pending = new java.util.concurrent.atomic.AtomicBoolean();
        final AtomicInteger work = new AtomicInteger();

        @Operation
        public void produce() {
            work.incrementAndGet();
            if (!pending.get() && pending.compareAndSet(false, true)) {
                kernel.add(1);
            }
        }

        @Operation(nonParallelGroup = "consumer")
        public int consume() {
            pending.set(false); // wrong order
            kernel.take();
            return work.getAndSet(0);
        }

        @Validate
        public void noLostWake() {
            if (work.get() != 0 && !kernel.readable()) {
                throw new AssertionError("lost wake-up");
            }
        }
    }

    private static ModelCheckingOptions options() {
        return ModelChecks.threeThreads(30, 3);
    }

    @Test
    void wakerLosesNoWake() {
        options().check(RealProtocol.class);
    }

    @Test
    void theCheckCatchesTheReversedOrder() {
        assertThatThrownBy(() -> options().check(ReversedDrain.class)).isInstanceOf(AssertionError.class);
    }

    @Test
    void fakeKernelSanity() {
        FakeSignalFile k = new FakeSignalFile();
        assertThat(k.add(2)).isTrue();
        assertThat(k.take()).isEqualTo(2);
    }
}
