package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.TestFds;
import java.math.BigInteger;
import java.nio.channels.ClosedChannelException;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model-based test: random sequences of open/signal/signal(n)/tryRead/close in both modes, each
 * step checked against a model of eventfd(2) and, while open, against the kernel's own count in
 * /proc/self/fdinfo. Seeds are fixed so a failure replays; the seed is in the test name.
 */
class EventFdRandomSequenceTest {
    static final BigInteger MAX = new BigInteger("18446744073709551614"); // 2^64 - 2

    static long[] seeds() {
        long[] s = new long[200];
        for (int i = 0; i < s.length; i++) {
            s[i] = 0x5eed_0000L + i;
        }
        return s;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSequencesMatchTheModelAndTheKernel(long seed) throws Throwable {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean semaphore = rnd.nextBoolean();
        long initial = rnd.nextInt(4) == 0 ? rnd.nextLong(0, 0x1_0000_0000L) : 0;
        EventFd e = EventFd.builder().semaphore(semaphore).initialValue(initial).open();
        BigInteger model = BigInteger.valueOf(initial);
        boolean open = true;
        try {
            for (int step = 0; step < 60; step++) {
                String where = "seed " + seed + " step " + step + " semaphore=" + semaphore + " model=" + model;
                int op = rnd.nextInt(100);
                if (op < 3) {
                    e.close();
                    open = false;
                } else if (op < 30) {
                    if (!open) {
                        assertThatThrownBy(e::signal).as(where).isInstanceOf(ClosedChannelException.class);
                        continue;
                    }
                    e.signal();
                    if (model.add(BigInteger.ONE).compareTo(MAX) <= 0) {
                        model = model.add(BigInteger.ONE);
                    }
                } else if (op < 60) {
                    long n = switch (rnd.nextInt(4)) {
                        case 0 -> Long.MAX_VALUE;
                        case 1 -> rnd.nextLong(1, Long.MAX_VALUE);
                        case 2 -> -rnd.nextLong(0, 3);
                        default -> rnd.nextLong(1, 1000);
                    };
                    if (n < 1) {
                        assertThatThrownBy(() -> e.signal(n)).as(where).isInstanceOf(IllegalArgumentException.class);
                    } else if (!open) {
                        assertThatThrownBy(() -> e.signal(n)).as(where).isInstanceOf(ClosedChannelException.class);
                    } else if (model.add(BigInteger.valueOf(n)).compareTo(MAX) > 0) {
                        assertThatThrownBy(() -> e.signal(n)).as(where).isInstanceOf(CounterFullException.class);
                    } else {
                        e.signal(n);
                        model = model.add(BigInteger.valueOf(n));
                    }
                } else {
                    if (!open) {
                        assertThatThrownBy(e::tryRead).as(where).isInstanceOf(ClosedChannelException.class);
                        continue;
                    }
                    long got = e.tryRead();
                    BigInteger expected = model.signum() == 0 ? BigInteger.ZERO : semaphore ? BigInteger.ONE : model;
                    assertThat(new BigInteger(Long.toUnsignedString(got)))
                            .as(where)
                            .isEqualTo(expected);
                    model = model.subtract(expected);
                }
                if (open) {
                    assertThat(new BigInteger(Long.toUnsignedString(SignalProbe.count(e))))
                            .as(where + " backend count")
                            .isEqualTo(model);
                    assertThat(TestFds.readable(e.fd()))
                            .as(where + " fd readable iff a count is pending")
                            .isEqualTo(model.signum() != 0);
                }
            }
        } finally {
            e.close();
        }
    }
}
