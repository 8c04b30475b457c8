package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.Poller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BridgeTest {

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> Bridge.open(1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity 1000")
                .hasMessageContaining("power of two")
                .hasMessageContaining("1024");
        assertThatThrownBy(() -> Bridge.open(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bridge.builder().pressure(0.9, 0.8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("elevated=0.9");
        assertThatThrownBy(() -> Bridge.builder().capacity(8).resumeWhenFree(9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resumeWhenFree(9)");
    }

    @Test
    void spinBeforeSleepRefusesNegativeAndNull() {
        assertThatThrownBy(() -> Bridge.builder().spinBeforeSleep(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.000000001S")
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> Bridge.builder().spinBeforeSleep(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("spinBeforeSleep");
    }

    @ParameterizedTest(name = "virtual={0}, yielding={1}")
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void aLongSpinStillEndsAtOnceOnCloseAndDeliversEverything(boolean virtual, boolean yielding) throws Exception {
        // A consumer looking for up to a second at a time (spinning, or yielding as on one CPU)
        // must still see the items and the close at once, and so must the producer blocked on a
        // full ring (capacity 8, 100 items); the bounded get fails the test if a look ignored
        // either: the consumer would then sleep with no wake coming after the close.
        Bridge<Integer> b = Bridge.builder()
                .capacity(8)
                .spinBeforeSleep(Duration.ofMinutes(1))
                .lookByYielding(yielding)
                .open();
        CompletableFuture<Long> sum = Bounded.start(virtual, () -> {
            long total = 0;
            for (Integer x; (x = b.receiver().receive()) != null; ) {
                total += x;
            }
            return total;
        });
        for (int i = 1; i <= 100; i++) {
            b.sender().send(i);
        }
        b.sender().close();
        assertThat(Bounded.get(sum, "the spinning consumer saw every item and the end of stream"))
                .isEqualTo(5050);
        b.receiver().close();
    }

    @Test
    void fifoUntilFullThenOfferFails() throws Exception {
        Bridge<Integer> b = Bridge.open(4);
        for (int i = 0; i < 4; i++) {
            assertThat(b.sender().offer(i)).isTrue();
        }
        assertThat(b.sender().offer(4)).isFalse();
        assertThat(b.size()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(b.receiver().poll()).isEqualTo(i);
        }
        assertThat(b.receiver().poll()).isNull();
        assertThatThrownBy(() -> b.sender().offer(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aBatchWithANullIsRefusedWholeAndTheBridgeStaysUsable() throws Exception {
        Bridge<Integer> b = Bridge.open(8);
        List<Integer> bad = new ArrayList<>(range(0, 5));
        bad.set(3, null);
        assertThatThrownBy(() -> b.sender().sendMany(bad))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("item 3 of 5 is null")
                .hasMessageContaining("nothing was sent");
        assertThatThrownBy(() -> b.sender().offerMany(bad))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("item 3 of 5 is null");
        assertThat(b.sender().sent()).isZero();
        assertThat(b.size()).isZero();
        // a batch larger than the room, with the null past the first round of room
        List<Integer> late = new ArrayList<>(range(0, 20));
        late.set(15, null);
        assertThatThrownBy(() -> b.sender().sendMany(late)).isInstanceOf(NullPointerException.class);
        assertThat(b.sender().sent()).isZero();
        // the ring's own refusal (a list that changes under it) clears what it wrote
        List<Integer> shifty = new ArrayList<>(range(0, 4)) {
            int reads;

            @Override
            public Integer get(int i) {
                return ++reads > 4 && i == 2 ? null : super.get(i); // fine when checked, null when written
            }
        };
        assertThatThrownBy(() -> b.sender().offerMany(shifty)).isInstanceOf(NullPointerException.class);
        assertThat(b.sender().sent()).isZero();
        // still usable, by every kind of send
        assertThat(b.sender().offer(100)).isTrue();
        b.sender().send(101);
        b.sender().sendMany(range(102, 106));
        List<Integer> got = new ArrayList<>();
        assertThat(b.receiver().drainTo(got::add, 100)).isEqualTo(6);
        assertThat(got).isEqualTo(range(100, 106));
    }

    @Test
    void pressureFollowsTheThresholds() throws Exception {
        Bridge<Integer> b = Bridge.builder().capacity(32).pressure(0.5, 0.75).open();
        assertThat(b.sender().pressure()).isEqualTo(Pressure.NORMAL);
        b.sender().offerMany(range(0, 15));
        assertThat(b.sender().pressure()).isEqualTo(Pressure.NORMAL);
        b.sender().offer(15);
        assertThat(b.sender().pressure()).isEqualTo(Pressure.ELEVATED);
        b.sender().offerMany(range(16, 24));
        assertThat(b.sender().pressure()).isEqualTo(Pressure.CRITICAL);
        assertThat(b.sender().remainingCapacity()).isEqualTo(8);
    }

    @Test
    void batchesMoveWhatFitsInOrder() throws Exception {
        Bridge<Integer> b = Bridge.open(8);
        assertThat(b.sender().offerMany(range(0, 10))).isEqualTo(8);
        List<Integer> got = new ArrayList<>();
        assertThat(b.receiver().drainTo(got::add, 3)).isEqualTo(3);
        assertThat(b.sender().offerMany(range(8, 10))).isEqualTo(2);
        assertThat(b.receiver().drainTo(got::add, 100)).isEqualTo(7);
        assertThat(got).isEqualTo(range(0, 10));
        assertThat(b.metrics().sent()).isEqualTo(10);
        assertThat(b.metrics().received()).isEqualTo(10);
    }

    @Test
    void underLoadNobodySleepsAndNoSystemCallIsMade() throws Exception {
        Bridge<Integer> b = Bridge.open(16);
        for (int i = 0; i < 1000; i++) {
            b.sender().send(i);
            assertThat(b.receiver().receive()).isEqualTo(i);
        }
        BridgeMetrics m = b.metrics();
        assertThat(m.systemCalls()).isZero();
        assertThat(m.wakesRequested()).isZero();
        assertThat(m.received()).isEqualTo(1000);
    }

    @Test
    void aSinkThatThrowsStillConsumedWhatItWasGiven() throws Exception {
        Bridge<Integer> b = Bridge.open(8);
        b.sender().offerMany(range(0, 5));
        List<Integer> got = new ArrayList<>();
        assertThatThrownBy(() -> b.receiver()
                        .drainTo(
                                i -> {
                                    got.add(i);
                                    if (i == 2) {
                                        throw new IllegalStateException("boom");
                                    }
                                },
                                10))
                .hasMessage("boom");
        assertThat(got).containsExactly(0, 1, 2);
        assertThat(b.receiver().received()).isEqualTo(3);
        assertThat(b.receiver().poll()).isEqualTo(3);
    }

    @Test
    void itemsSentBeforeCloseArriveThenEndOfStream() throws Exception {
        Bridge<Integer> b = Bridge.open(8);
        b.sender().sendMany(range(0, 3));
        b.sender().close();
        assertThatThrownBy(() -> b.sender().offer(9))
                .isInstanceOf(BridgeClosedException.class)
                .hasMessageContaining("send after close()")
                .matches(e -> !((BridgeClosedException) e).byReceiver());
        assertThatThrownBy(() -> b.sender().send(9)).isInstanceOf(BridgeClosedException.class);
        assertThat(b.receiver().isEndOfStream()).isFalse();
        assertThat(b.receiver().receive()).isEqualTo(0);
        assertThat(Bounded.get(b.receiver().receiveAsync(), "receiveAsync")).isEqualTo(1);
        assertThat(b.receiver().receive(Duration.ofSeconds(5))).isEqualTo(2);
        assertThat(b.receiver().receive()).isNull();
        assertThat(b.receiver().isEndOfStream()).isTrue();
        assertThat(b.receiver().receiveMany(x -> {}, 10)).isEqualTo(-1);
        assertThat(Bounded.get(b.receiver().readableAsync(), "readableAsync")).isFalse();
        assertThat(Bounded.get(b.receiver().receiveAsync(), "receiveAsync")).isNull();
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aWaitingConsumerWakesForTheFirstItem(boolean virtual) throws Exception {
        Bridge<String> b = Bridge.open(8);
        CompletableFuture<String> got =
                Bounded.start(virtual, () -> b.receiver().receive());
        Bounded.until(b.ring()::consumerAnnounced, "consumer announced its wait");
        b.sender().send("x");
        assertThat(Bounded.get(got, "consumer woken")).isEqualTo("x");
        BridgeMetrics m = b.metrics();
        assertThat(m.consumerWaits()).isGreaterThanOrEqualTo(1);
        assertThat(m.consumerWakes()).isEqualTo(1);
        assertThat(m.unparks()).as("a blocked Java thread is unparked").isEqualTo(1);
        assertThat(m.systemCalls()).as("no eventfd write for it").isZero();
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aWaitingConsumerSeesEndOfStream(boolean virtual) throws Exception {
        Bridge<String> b = Bridge.open(8);
        CompletableFuture<String> got =
                Bounded.start(virtual, () -> b.receiver().receive());
        Bounded.until(b.ring()::consumerAnnounced, "consumer announced its wait");
        b.sender().close();
        assertThat(Bounded.get(got, "consumer woken by close")).isNull();
        assertThat(b.receiver().isEndOfStream()).isTrue();
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void theReceiversCloseWakesAWaitingProducerWithAClearError(boolean virtual) throws Exception {
        Bridge<Integer> b = Bridge.open(2);
        b.sender().offerMany(range(0, 2));
        CompletableFuture<Void> sending = Bounded.start(virtual, () -> {
            b.sender().send(2);
            return null;
        });
        Bounded.until(b.ring()::producerAnnounced, "producer announced its wait");
        b.receiver().close();
        assertThatThrownBy(() -> Bounded.get(sending, "producer woken by the receiver's close"))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(BridgeClosedException.class)
                .hasMessageContaining("receiver closed")
                .matches(e -> ((BridgeClosedException) e).byReceiver());
        assertThatThrownBy(() -> b.receiver().poll())
                .isInstanceOf(BridgeClosedException.class)
                .hasMessageContaining("receive after close()");
        assertThat(b.metrics().sent() - b.metrics().received()).isEqualTo(2);
    }

    @Test
    void theProducerIsWokenOnlyOnceEnoughRoomIsFree() throws Exception {
        Bridge<Integer> b = Bridge.builder().capacity(8).resumeWhenFree(4).open();
        b.sender().offerMany(range(0, 8));
        CompletableFuture<Void> sending = Bounded.start(false, () -> {
            b.sender().sendMany(range(8, 12));
            return null;
        });
        Bounded.until(b.ring()::producerAnnounced, "producer announced its wait");
        for (int i = 0; i < 3; i++) {
            assertThat(b.receiver().poll()).isEqualTo(i);
        }
        assertThat(b.metrics().producerWakes()).isZero();
        assertThat(b.ring().producerAnnounced()).isTrue();
        assertThat(b.receiver().poll()).isEqualTo(3);
        Bounded.get(sending, "producer woken at 4 free slots");
        assertThat(b.metrics().producerWakes()).isEqualTo(1);
        assertThat(b.metrics().timeFull()).isPositive();
        List<Integer> rest = new ArrayList<>();
        b.receiver().drainTo(rest::add, 100);
        assertThat(rest).isEqualTo(range(4, 12));
    }

    @Test
    void aSecondWaitingConsumerIsRejected() throws Exception {
        Bridge<String> b = Bridge.open(8);
        CompletableFuture<String> first =
                Bounded.start(false, () -> b.receiver().receive());
        Bounded.until(b.ring()::consumerAnnounced, "first consumer waiting");
        assertThatThrownBy(() -> b.receiver().receive())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bridge misuse")
                .hasMessageContaining("exactly one consumer");
        assertThatThrownBy(() -> b.receiver().readableAsync()).hasMessageContaining("bridge misuse");
        b.sender().send("x");
        assertThat(Bounded.get(first, "first consumer")).isEqualTo("x");
    }

    @Test
    void aSecondWaitingProducerIsRejected() throws Exception {
        Bridge<Integer> b = Bridge.open(2);
        b.sender().offerMany(range(0, 2));
        CompletableFuture<Void> first = Bounded.start(true, () -> {
            b.sender().send(2);
            return null;
        });
        Bounded.until(b.ring()::producerAnnounced, "first producer waiting");
        assertThatThrownBy(() -> b.sender().send(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exactly one producer");
        b.receiver().poll();
        Bounded.get(first, "first producer");
    }

    @Test
    void slotCollisionsRevealASecondProducerOrConsumer() throws Exception {
        Bridge<String> b = Bridge.open(4);
        b.ring().buffer[0] = "written by another producer";
        assertThatThrownBy(() -> b.sender().offer("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("second producer");
        b.ring().buffer[0] = null;
        b.sender().offer("x");
        b.ring().buffer[0] = null; // as if another consumer took it
        assertThat(b.receiver().poll()).isNull(); // poll reads the slot alone: empty
        // a wait re-checks tail before it sleeps, and finds the published slot empty
        assertThatThrownBy(() -> b.receiver().receive(Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("second consumer");
        assertThat(b.ring().consumerAnnounced()).isFalse();
    }

    @Test
    void anInterruptedWaitTakesNothingAndReleasesTheSide() throws Exception {
        Bridge<String> b = Bridge.open(8);
        Thread[] t = new Thread[1];
        CompletableFuture<String> got = Bounded.start(false, () -> {
            t[0] = Thread.currentThread();
            return b.receiver().receive();
        });
        Bounded.until(b.ring()::consumerAnnounced, "consumer waiting");
        t[0].interrupt();
        assertThatThrownBy(() -> Bounded.get(got, "interrupted")).cause().isInstanceOf(InterruptedException.class);
        assertThat(b.ring().consumerAnnounced()).isFalse();
        b.sender().send("y");
        assertThat(b.receiver().receive()).isEqualTo("y");
    }

    @Test
    void timedWaitsGiveUp() throws Exception {
        Bridge<String> b = Bridge.open(2);
        assertThat(b.receiver().receive(Duration.ofMillis(20))).isNull();
        assertThat(b.receiver().isEndOfStream()).isFalse();
        b.sender().offerMany(List.of("a", "b"));
        assertThat(b.sender().send("c", Duration.ofMillis(20))).isFalse();
        assertThat(b.ring().producerAnnounced()).isFalse();
        assertThat(b.ring().consumerAnnounced()).isFalse();
    }

    @Test
    void futuresCompleteOnTheTransitions() throws Exception {
        Bridge<String> b = Bridge.open(2);
        CompletableFuture<Boolean> readable = b.receiver().readableAsync();
        assertThat(readable).isNotDone();
        b.sender().send("a");
        assertThat(Bounded.get(readable, "readableAsync")).isTrue();
        CompletableFuture<String> next = b.receiver().receiveAsync();
        assertThat(Bounded.get(next, "receiveAsync")).isEqualTo("a");

        b.sender().offerMany(List.of("b", "c"));
        CompletableFuture<Void> sent = b.sender().sendAsync("d");
        assertThat(sent).isNotDone();
        assertThat(b.receiver().poll()).isEqualTo("b");
        Bounded.get(sent, "sendAsync");
        CompletableFuture<Void> writable = b.sender().writableAsync();
        assertThat(writable).isNotDone();
        assertThat(b.receiver().poll()).isEqualTo("c");
        Bounded.get(writable, "writableAsync");
        assertThat(b.receiver().poll()).isEqualTo("d");

        CompletableFuture<String> pending = b.receiver().receiveAsync();
        Bounded.until(b.ring()::consumerAnnounced, "future announced its wait");
        assertThat(pending.cancel(false)).isTrue();
        Bounded.until(() -> !b.ring().consumerAnnounced(), "cancel withdrew the wait");
        b.sender().send("e");
        assertThat(b.receiver().receive()).isEqualTo("e"); // the side was released
    }

    @Test
    void pumpReportsMoreWaitAndEnd() throws Exception {
        Bridge<Integer> b = Bridge.open(8);
        b.sender().offerMany(range(0, 5));
        List<Integer> got = new ArrayList<>();
        assertThat(b.receiver().pump(got::add, 3)).isEqualTo(Receiver.Round.MORE);
        assertThat(b.receiver().pump(got::add, 3)).isEqualTo(Receiver.Round.WAIT);
        assertThat(b.ring().consumerAnnounced()).isTrue();
        b.sender().send(5); // wakes the announced consumer
        assertThat(b.receiver().signal().consume()).isEqualTo(1);
        b.sender().close();
        assertThat(b.receiver().pump(got::add, 3)).isEqualTo(Receiver.Round.END);
        assertThat(got).isEqualTo(range(0, 6));
    }

    @Test
    void aPollerHandlerReceivesEverythingThenTheEnd() throws Exception {
        Bridge<Integer> b = Bridge.open(16);
        b.sender().offerMany(range(0, 5)); // before the registration
        List<Integer> got = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Thread> ended = new CompletableFuture<>();
        try (Poller poller = Poller.open()) {
            Poller.Registration reg =
                    b.receiver().register(poller, got::add, () -> ended.complete(Thread.currentThread()));
            assertThatThrownBy(() -> b.receiver().readableAsync()).hasMessageContaining("a Poller registration");
            for (int i = 5; i < 5000; i++) {
                assertThat(b.sender().send(i, Bounded.LIMIT))
                        .as("room within the limit")
                        .isTrue();
            }
            b.sender().close();
            assertThat(Bounded.get(ended, "end of stream on the poller")).isSameAs(poller.thread());
            assertThat(got).isEqualTo(range(0, 5000));
            assertThat(reg.isActive()).isFalse();
        }
    }

    @Test
    void anEventLoopProducerResumesFromItsPollerHandler() throws Exception {
        int n = 20_000;
        Bridge<Integer> b = Bridge.open(4);
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable produce = () -> {
            while (next.get() < n) {
                if (b.sender().offer(next.get())) {
                    next.incrementAndGet();
                } else if (b.sender().prepareToWait()) {
                    return; // the handler runs again when there is room
                }
            }
            done.complete(null);
        };
        try (Poller poller = Poller.open()) {
            b.sender().register(poller, produce);
            produce.run();
            for (int i = 0; i < n; i++) {
                assertThat(b.receiver().receive(Bounded.LIMIT))
                        .as("item %d within the limit", i)
                        .isEqualTo(i);
            }
            Bounded.get(done, "producer finished");
        }
        assertThat(b.metrics().producerWaits()).isPositive();
    }

    @Test
    void closingBothEndsReleasesTheEventFds() throws Exception {
        Bridge<String> b = Bridge.open(2);
        b.sender().close();
        assertThat(b.receiver().signal().isOpen()).isTrue();
        b.receiver().close();
        b.receiver().close();
        assertThat(b.receiver().signal().isOpen()).isFalse();
        assertThat(b.sender().signal().isOpen()).isFalse();
        assertThat(b.sender().isClosed()).isTrue();
        assertThat(b.receiver().isClosed()).isTrue();
    }
}
