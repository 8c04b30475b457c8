package dev.wakefd.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.ModelChecks;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck explores the interleavings of short calls, leases, close and stopShortCalls on a real
 * FdGuard whose "fd" is a flag, and fails if the fd is released while a call is inside it or a
 * call runs after the release. A guard that reads the closing bit before taking its slot (the
 * Dekker order reversed) is caught by the same check.
 */
class FdGuardModelCheckTest {

    /** The fake fd and what was seen inside it. (Lincheck wants @Validate on the test class itself.) */
    abstract static class Fd {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicBoolean released = new AtomicBoolean();
        final AtomicBoolean violated = new AtomicBoolean();

        void release() {
            if (inside.get() != 0) {
                violated.set(true); // released under a call
            }
            released.set(true);
        }

        void systemCall() {
            inside.incrementAndGet();
            if (released.get()) {
                violated.set(true); // a call on a released fd
            }
            inside.decrementAndGet();
        }

        void check() {
            if (violated.get()) {
                throw new AssertionError("a system call overlapped or followed the release of the fd");
            }
        }
    }

    public static class RealGuard extends Fd {
        final FdGuard guard = new FdGuard(this::release, true);

        @Validate
        public void neverUsedAfterRelease() {
            check();
        }

        @Operation
        public boolean shortCall() {
            int t = guard.enter();
            if (t == FdGuard.REFUSED) {
                return false;
            }
            systemCall();
            guard.exit(t);
            return true;
        }

        @Operation
        public boolean lease() {
            if (!guard.acquire()) {
                return false;
            }
            systemCall();
            guard.release();
            return true;
        }

        @Operation(nonParallelGroup = "close")
        public boolean close() {
            return guard.markClosed();
        }

        @Operation(nonParallelGroup = "share")
        public void share() {
            guard.stopShortCalls();
        }
    }

    /** The slot protocol with the check before the CAS: a caller can slip in after the closer looked. */
    public static class CheckBeforeSlot extends Fd {
        volatile boolean closing;
        final AtomicInteger slot = new AtomicInteger();

        @Validate
        public void neverUsedAfterRelease() {
            check();
        }

        @Operation
        public boolean shortCall() {
            if (closing) {
                return false;
            }
            if (!slot.compareAndSet(0, 1)) {
                return false;
            }
            systemCall();
            slot.set(0);
            return true;
        }

        @Operation(nonParallelGroup = "close")
        public boolean close() {
            if (closing) {
                return false;
            }
            closing = true;
            while (slot.get() != 0) {
                Thread.onSpinWait();
            }
            release();
            return true;
        }
    }

    private static ModelCheckingOptions options() {
        return ModelChecks.threeThreads(40, 2);
    }

    @Test
    void noCallReachesAReleasedFd() {
        options().check(RealGuard.class);
    }

    @Test
    void theCheckCatchesTheReversedOrder() {
        assertThatThrownBy(() -> options().check(CheckBeforeSlot.class)).isInstanceOf(AssertionError.class);
    }
}
