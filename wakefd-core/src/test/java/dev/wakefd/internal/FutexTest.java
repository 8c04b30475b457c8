package dev.wakefd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The futex binding's three outcomes: a word that does not match, a timeout, a wake. */
class FutexTest {
    @BeforeEach
    void linux() {
        // POSIX-only mode (a Surefire execution of this module) and other systems have no futex binding
        Assumptions.assumeFalse(Platform.posixOnly(), "POSIX-only mode");
        Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux"), "Linux only");
    }

    @Test
    void isAvailableOnLinux() {
        assertThat(Futex.unavailableReason()).isNull();
        assertThat(Futex.available()).isTrue();
    }

    @Test
    void aWordThatDoesNotMatchReturnsEagainAtOnce() {
        MemorySegment word = Futex.allocateWord();
        word.set(ValueLayout.JAVA_INT, 0, 7);
        assertThat(Futex.wait(word, 8, -1)).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void aTimedWaitThatNobodyEndsTimesOut() {
        MemorySegment word = Futex.allocateWord();
        int r;
        do {
            r = Futex.wait(word, 0, TimeUnit.MILLISECONDS.toNanos(1));
        } while (r == Errno.EINTR);
        assertThat(r).isEqualTo(Errno.ETIMEDOUT);
    }

    @Test
    void aWakeEndsAnUntimedWait() throws Exception {
        MemorySegment word = Futex.allocateWord();
        CompletableFuture<Integer> waited = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            int r;
            do {
                r = Futex.wait(word, 0, -1);
            } while (r == Errno.EINTR);
            waited.complete(r);
        });
        // the wait may not have begun when a wake comes: wake until it has returned (bounded by the join)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!waited.isDone() && System.nanoTime() - deadline < 0) {
            Futex.wake(word);
            Thread.onSpinWait();
        }
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(waited).as("woken within 30 s").isDone();
        assertThat(waited.get()).isZero();
    }
}
