package dev.wakefd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The guard's short-call slots: close and stopShortCalls wait for them, leases are the fallback. */
class FdGuardTest {
    final AtomicInteger released = new AtomicInteger();
    final FdGuard guard = new FdGuard(released::incrementAndGet, true);

    @Test
    void closeWaitsForAShortCallInFlightThenReleasesOnce() throws Exception {
        int call = guard.enter();
        assertThat(FdGuard.isShort(call)).isTrue();
        CompletableFuture<Boolean> closer = CompletableFuture.supplyAsync(guard::markClosed);
        awaitClosing();
        assertThat(closer).as("close waits while a short call is inside").isNotDone();
        assertThat(released).hasValue(0);
        assertThat(guard.enter()).as("no call starts once closing").isEqualTo(FdGuard.REFUSED);
        guard.exit(call);
        assertThat(closer.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(released).hasValue(1);
        assertThat(guard.markClosed()).isFalse();
        assertThat(released).hasValue(1);
    }

    @Test
    void stopShortCallsWaitsForTheCallInFlightThenHandsOutLeases() throws Exception {
        int call = guard.enter();
        CompletableFuture<Void> stopper = CompletableFuture.runAsync(guard::stopShortCalls);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (guard.shortCalls()) {
            assertThat(System.nanoTime())
                    .as("stopShortCalls never cleared the flag")
                    .isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(stopper).as("waits while a short call is inside").isNotDone();
        guard.exit(call);
        stopper.get(30, TimeUnit.SECONDS);
        int next = guard.enter();
        assertThat(next).isEqualTo(FdGuard.LEASE);
        assertThat(guard.leases()).isEqualTo(1);
        guard.exit(next);
        assertThat(guard.leases()).isZero();
    }

    @Test
    void aTakenSlotSendsTheCallerDownTheLeasePath() {
        int first = guard.enter();
        int nested = guard.enter(); // same thread, same slot: taken
        assertThat(FdGuard.isShort(first)).isTrue();
        assertThat(nested).isEqualTo(FdGuard.LEASE);
        assertThat(guard.leases()).isEqualTo(1);
        guard.exit(nested);
        guard.exit(first);
        assertThat(guard.leases()).isZero();
        assertThat(guard.markClosed()).isTrue();
        assertThat(released).hasValue(1);
    }

    @Test
    void aLeaseOutlivesCloseAndTheLastOneOutReleases() {
        assertThat(guard.acquire()).isTrue();
        assertThat(guard.markClosed()).isTrue();
        assertThat(released).hasValue(0);
        assertThat(guard.acquire()).isFalse();
        guard.release();
        assertThat(released).hasValue(1);
    }

    @Test
    void aGuardWithoutShortCallsOnlyLeases() {
        FdGuard plain = new FdGuard(released::incrementAndGet);
        int call = plain.enter();
        assertThat(call).isEqualTo(FdGuard.LEASE);
        plain.exit(call);
        assertThat(plain.markClosed()).isTrue();
        assertThat(plain.enter()).isEqualTo(FdGuard.REFUSED);
        assertThat(released).hasValue(1);
    }

    private void awaitClosing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!guard.isClosing()) {
            assertThat(System.nanoTime())
                    .as("markClosed never set the closing bit")
                    .isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
