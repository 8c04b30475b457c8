package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.EventFd;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DemoLapsTest {
    /** A hop that takes the wake and passes it on only for the first {@code passes} laps. */
    static final class Leaky implements Hop {
        private final int passes;
        private volatile int passed;
        private Thread t;
        private long[] times;

        Leaky(int passes) {
            this.passes = passes;
        }

        @Override
        public String name() {
            return "leaky";
        }

        @Override
        public String how() {
            return "drops the wake after " + passes + " laps";
        }

        @Override
        public void start(EventFd in, EventFd out, int laps) {
            times = new long[laps];
            t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int lap = 0; lap < laps; lap++) {
                        in.await();
                        times[lap] = System.nanoTime();
                        if (lap < passes) {
                            out.signal();
                            passed = lap + 1;
                        }
                    }
                } catch (Exception e) {
                    // closed by the ring
                }
            });
        }

        @Override
        public int passed() {
            return passed;
        }

        @Override
        public long[] wakeTimes(Duration timeout) throws InterruptedException {
            assertThat(t.join(timeout)).isTrue();
            return times;
        }

        @Override
        public void close() {
            t.interrupt();
        }
    }

    @Test
    void aLostWakeFailsTheRunAndSaysWhereItStopped() {
        List<Hop> hops = List.of(new VirtualThreadHop(), new Leaky(3));
        AtomicLong progress = new AtomicLong();
        assertThatThrownBy(() -> DemoLaps.run(hops, 0, 10, Duration.ofSeconds(1), progress::set))
                .isInstanceOf(Main.Failure.class)
                .hasMessageContaining("lap 4: the wake did not come back within 1 s")
                .hasMessageContaining("virtual thread 4, leaky 3");
        assertThat(progress.get()).isEqualTo(3);
    }

    @Test
    void nettyLoopsPassTheWakeOn() throws Exception {
        List<Hop> hops = new java.util.ArrayList<>();
        for (NettyHop.Transport t : NettyHop.Transport.values()) {
            if (NettyHop.unavailable(t) == null) {
                hops.add(new NettyHop(t));
            }
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(hops.isEmpty(), "no Netty native transport here");
        DemoLaps.Result r = DemoLaps.run(hops, 10, 300, Duration.ofSeconds(10), d -> {});
        assertThat(r.hops())
                .hasSize(hops.size() + 1)
                .allSatisfy(l -> assertThat(l.count()).isEqualTo(300));
    }

    @Test
    void hopLatenciesAddUpToTheLapAndCoverEveryMeasuredLap() throws Exception {
        List<Hop> hops = List.of(new VirtualThreadHop(), new PollerHop(), new VirtualThreadHop());
        DemoLaps.Result r = DemoLaps.run(hops, 5, 200, Duration.ofSeconds(10), d -> {});
        assertThat(r.laps()).isEqualTo(200);
        assertThat(r.hops())
                .extracting(Latencies::label)
                .containsExactly(
                        "platform thread -> virtual thread", "virtual thread -> Poller handler",
                        "Poller handler -> virtual thread", "virtual thread -> platform thread");
        assertThat(r.hops()).allSatisfy(l -> assertThat(l.count()).isEqualTo(200));
        long sumOfMedians = r.hops().stream().mapToLong(Latencies::p50).sum();
        long sumOfMax = r.hops().stream().mapToLong(Latencies::max).sum();
        // Each lap is exactly the sum of its hops, so the lap's max cannot exceed the sum of hop maxima.
        assertThat(r.lap().max()).isLessThanOrEqualTo(sumOfMax + sumOfMax / 1000 + 1);
        assertThat(sumOfMedians).isPositive();
    }
}
