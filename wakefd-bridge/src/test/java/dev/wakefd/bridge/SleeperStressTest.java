package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The futex permit of {@link Sleeper} (F1 - F3; docs/design/bridge-ring.md, "Park, futex or
 * eventfd") on two platform threads, with the ring's announce/re-check/wake steps in their
 * simplest form around it: the sleeper announces the item it waits for (S1, volatile), re-checks
 * (S2) and sleeps; the waker publishes (P1), reads the announcement (P2) and wakes once per
 * announcement. The waker publishes the next item as soon as the sleeper has taken the last, so
 * its wake races the sleeper's way into the futex again and again. A lost wake leaves the sleeper
 * asleep with its item published: the waker waits at most {@link #STUCK_SECONDS} for it.
 *
 * <p>The negative control's sleeper stores SLEEPING over the word instead of its CAS (F2): a
 * PERMIT the waker swapped in between the sleeper's re-check and that store is erased, and the
 * sleeper sleeps through the only wake its announcement gets.
 */
class SleeperStressTest {
    static final long STUCK_SECONDS = 5;

    @BeforeEach
    void futexes() {
        // the futex path is Linux-only (POSIX-only mode and other systems park: BridgeTest covers those)
        Assumptions.assumeTrue(Sleeper.futex(Thread.currentThread()), "futexes are not used here");
    }

    @Test
    void noWakeIsLostOnTheFutexWord() throws Exception {
        Result r = run(new Sleeper(() -> {}), 200_000, 60);
        System.err.println("SleeperStressTest: 200,000 hand-offs, " + r.sleeps + " sleeps, lost at " + r.lostAt);
        assertThat(r.lostAt).as("item whose wake was lost").isZero();
        assertThat(r.sleeps).as("sleeps that raced a wake").isGreaterThan(1_000);
    }

    @Test
    void negativeControlAPermitOverwrittenByF2LosesAWake() throws Exception {
        Result r = run(new Sleeper(() -> {}, true), 50_000_000, 120);
        System.err.println(
                "SleeperStressTest control: lost a wake at item " + r.lostAt + " after " + r.sleeps + " sleeps");
        assertThat(r.lostAt).as("a lost wake within the run").isPositive();
    }

    @Test
    void anInterruptEndsAFutexSleepAndIsReported() throws Exception {
        Sleeper s = new Sleeper(() -> {});
        CompletableFuture<Thread> self = new CompletableFuture<>();
        CompletableFuture<Boolean> parked = Bounded.start(false, () -> {
            self.complete(Thread.currentThread());
            return s.park(true, 0);
        });
        Thread t = Bounded.get(self, "sleeper started");
        // SLEEPING: past F2, so in the futex wait or about to enter it; without the interrupt hook
        // the thread would sleep on, and the get below fail after its bound
        Bounded.until(s::sleepingOnWord, "sleeper on its futex word");
        t.interrupt();
        assertThatThrownBy(() -> Bounded.get(parked, "interrupted sleeper"))
                .hasCauseInstanceOf(InterruptedException.class);
        // the sleeper stays usable: a wake before the next sleep is a permit it takes at once
        s.wake(Thread.currentThread());
        assertThat(s.park(true, 0)).isTrue();
        assertThat(Thread.interrupted()).isFalse();
    }

    record Result(long lostAt, long sleeps) {}

    /** Runs {@code items} hand-offs (or until {@code seconds}); lostAt is the first item whose wake was lost, or 0. */
    static Result run(Sleeper s, long items, long seconds) throws Exception {
        Shared sh = new Shared();
        Thread sleeper = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (long i = 1; i <= items && !sh.stop; i++) {
                    while (sh.published < i && !sh.stop) {
                        sh.announced = i; // S1
                        if (sh.published >= i || sh.stop) { // S2
                            sh.announced = 0;
                            break;
                        }
                        sh.sleeps++;
                        s.park(true, 0);
                        sh.announced = 0; // withdraw
                    }
                    sh.taken = i;
                }
            } catch (InterruptedException e) {
                // the test ends: stop
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long lastWoken = 0, lostAt = 0;
        for (long i = 1; i <= items && System.nanoTime() - deadline < 0; i++) {
            sh.published = i; // P1
            long a = sh.announced; // P2
            if (a != 0 && a <= i && a != lastWoken) {
                lastWoken = a;
                s.wake(sleeper);
            }
            long stuck = System.nanoTime() + TimeUnit.SECONDS.toNanos(STUCK_SECONDS);
            while (sh.taken < i) {
                if (System.nanoTime() - stuck > 0) {
                    lostAt = i;
                    break;
                }
                Thread.onSpinWait();
            }
            if (lostAt != 0) {
                break;
            }
        }
        sh.stop = true;
        sleeper.interrupt();
        sleeper.join(TimeUnit.SECONDS.toMillis(30));
        return new Result(lostAt, sh.sleeps);
    }

    static final class Shared {
        volatile long published, announced, taken;
        volatile boolean stop;
        long sleeps; // the sleeper's own count; read after join
    }
}
