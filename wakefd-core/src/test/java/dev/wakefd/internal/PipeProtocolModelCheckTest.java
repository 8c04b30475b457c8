package dev.wakefd.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck explores interleavings of adds and takes on the real {@link PipeFile} protocol over an
 * in-memory pipe, checking after each run that a pending count always has a byte in the pipe
 * (else a poller of the read end would sleep through it). The same check must catch a take that
 * reads the count before draining the pipe, which shows it can fail.
 */
class PipeProtocolModelCheckTest {

    /** A pipe as a byte count: poke adds one, drain takes all (the real drain reads until empty). */
    static final class FakePipe implements PipeFile.Bytes {
        final AtomicInteger bytes = new AtomicInteger();

        @Override
        public void poke() {
            bytes.incrementAndGet();
        }

        @Override
        public void drain() {
            bytes.set(0);
        }
    }

    public static class Counter {
        final FakePipe pipe = new FakePipe();
        final AtomicLong count = new AtomicLong();
        final PipeFile file = new PipeFile(-1, -1, false, count, pipe);

        @Operation
        public boolean add() throws Exception {
            return file.add(1);
        }

        @Operation
        public long take() throws Exception {
            return file.take();
        }

        @Validate
        public void noLostWake() {
            if (count.get() != 0 && pipe.bytes.get() == 0) {
                throw new AssertionError("lost wake: count " + count.get() + ", pipe empty");
            }
        }
    }

    public static class Semaphore {
        final FakePipe pipe = new FakePipe();
        final AtomicLong count = new AtomicLong(1);
        final PipeFile file = new PipeFile(-1, -1, true, count, pipe);

        {
            pipe.poke(); // as create() does for an initial count
        }

        @Operation
        public boolean add() throws Exception {
            return file.add(1);
        }

        @Operation
        public long take() throws Exception {
            return file.take();
        }

        @Validate
        public void noLostWake() {
            if (count.get() != 0 && pipe.bytes.get() == 0) {
                throw new AssertionError("lost wake: count " + count.get() + ", pipe empty");
            }
        }
    }

    /** The protocol with take's two steps reversed (count first, then drain): must be caught. */
    public static class TakeBeforeDrain {
        final FakePipe pipe = new FakePipe();
        final AtomicLong count = new AtomicLong();

        @Operation
        public void add() {
            if (count.getAndIncrement() == 0) {
                pipe.poke();
            }
        }

        @Operation
        public long take() {
            long v = count.getAndSet(0);
            pipe.drain(); // wrong order
            return v;
        }

        @Validate
        public void noLostWake() {
            if (count.get() != 0 && pipe.bytes.get() == 0) {
                throw new AssertionError("lost wake");
            }
        }
    }

    private static ModelCheckingOptions options() {
        return new ModelCheckingOptions()
                .iterations(20)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(0);
    }

    @Test
    void counterModeLosesNoWake() {
        options().check(Counter.class);
    }

    @Test
    void semaphoreModeLosesNoWake() {
        options().check(Semaphore.class);
    }

    @Test
    void theCheckCatchesATakeBeforeTheDrain() {
        assertThatThrownBy(() -> options().check(TakeBeforeDrain.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost wake");
    }
}
