package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Side ownership however futures are chained: the next wait started from a callback that runs
 * inside the completing future (inline), from an executor (async), and cancels racing
 * completions. Each round checks that the side is still owned by the pending future (a blocking
 * call on the same side is refused) and that every item arrives once, in order. The build also
 * runs this class with assertions off (a Surefire execution without -ea), because ownership must
 * never rest on an {@code assert}.
 */
class SideOwnershipTest {
    private static final int ROUNDS = 200;
    private static ExecutorService callbacks;

    @BeforeAll
    static void start() {
        callbacks = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stop() {
        callbacks.shutdownNow();
    }

    /** How a consumer chain takes its next item: by receiveAsync, or by readableAsync then poll. */
    private static CompletableFuture<Integer> next(Receiver<Integer> in, boolean readable) {
        return readable ? in.readableAsync().thenApply(ok -> in.poll()) : in.receiveAsync();
    }

    private static void chainReceive(
            Receiver<Integer> in, boolean readable, boolean async, List<Integer> got, CompletableFuture<Void> done) {
        CompletableFuture<Integer> f = next(in, readable);
        java.util.function.Consumer<Integer> then = x -> {
            got.add(x);
            if (got.size() < ROUNDS) {
                chainReceive(in, readable, async, got, done); // the next wait, from inside the completion
            } else {
                done.complete(null);
            }
        };
        (async ? f.thenAcceptAsync(then, callbacks) : f.thenAccept(then)).exceptionally(t -> {
            done.completeExceptionally(t);
            return null;
        });
    }

    @ParameterizedTest(name = "readableAsync={0}, async callbacks={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void aConsumerChainingItsNextWaitKeepsItsSide(boolean readable, boolean async) throws Exception {
        Bridge<Integer> b = Bridge.open(8);
        Receiver<Integer> in = b.receiver();
        List<Integer> got = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> done = new CompletableFuture<>();
        chainReceive(in, readable, async, got, done);
        for (int i = 0; i < ROUNDS; i++) {
            long taken = i;
            Bounded.until(
                    () -> in.received() == taken && b.ring().consumerAnnounced() || done.isDone(),
                    "wait " + i + " of the chain announced");
            assertThat(done).as("chain failed at " + i).isNotDone();
            // the pending future owns the consumer side: a blocking receive must be refused
            assertThatThrownBy(() -> in.receive(Duration.ZERO))
                    .as("round " + i)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("bridge misuse");
            assertThatThrownBy(() -> in.receiveMany(x -> {}, 1)).hasMessageContaining("bridge misuse");
            b.sender().send(i);
        }
        Bounded.get(done, "the chain took every item");
        assertThat(got)
                .isEqualTo(java.util.stream.IntStream.range(0, ROUNDS).boxed().toList());
        // the chain is over: the side is free again
        b.sender().send(-1);
        assertThat(in.receive(Duration.ZERO)).isEqualTo(-1);
    }

    private static void chainSend(
            Sender<Integer> out, boolean writable, boolean async, int i, CompletableFuture<Void> done) {
        if (i == ROUNDS) {
            done.complete(null);
            return;
        }
        CompletableFuture<Void> f = writable
                ? out.writableAsync().thenRun(() -> {
                    if (!out.offer(i)) {
                        throw new AssertionError("writableAsync completed without room for " + i);
                    }
                })
                : out.sendAsync(i);
        Runnable then = () -> chainSend(out, writable, async, i + 1, done);
        (async ? f.thenRunAsync(then, callbacks) : f.thenRun(then)).exceptionally(t -> {
            done.completeExceptionally(t);
            return null;
        });
    }

    @ParameterizedTest(name = "writableAsync={0}, async callbacks={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void aProducerChainingItsNextWaitKeepsItsSide(boolean writable, boolean async) throws Exception {
        Bridge<Integer> b = Bridge.builder().capacity(2).resumeWhenFree(1).open();
        Sender<Integer> out = b.sender();
        CompletableFuture<Void> done = new CompletableFuture<>();
        chainSend(out, writable, async, 0, done); // items 0 and 1 fill the ring at once
        List<Integer> got = new ArrayList<>();
        while (got.size() < ROUNDS) {
            long expect = Math.min(ROUNDS, got.size() + 2);
            Bounded.until(
                    () -> out.sent() == expect && (expect == ROUNDS || b.ring().producerAnnounced())
                            || done.isDone() && out.sent() == expect,
                    "the chain filled the ring up to " + expect);
            if (expect < ROUNDS) {
                assertThat(done).as("chain failed at " + expect).isNotDone();
                // the pending future owns the producer side: a blocking send must be refused
                assertThatThrownBy(() -> out.send(-1, Duration.ZERO))
                        .as("at " + expect)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("bridge misuse");
            }
            got.add(b.receiver().poll());
        }
        Bounded.get(done, "the chain sent every item");
        assertThat(got)
                .isEqualTo(java.util.stream.IntStream.range(0, ROUNDS).boxed().toList());
        assertThat(out.send(-1, Duration.ZERO)).isTrue(); // the side is free again
    }

    /**
     * A cancel racing the wake that completes the wait: whoever wins, the side is free for the
     * next wait (no false misuse error), no announcement is left behind for it to lose, and the
     * item is received.
     */
    @Test
    void aCancelRacingACompletionLeavesTheConsumerSideUsable() throws Exception {
        Bridge<Integer> b = Bridge.open(8);
        Receiver<Integer> in = b.receiver();
        for (int i = 0; i < ROUNDS * 5; i++) {
            CompletableFuture<Boolean> readable = in.readableAsync();
            int item = i;
            CompletableFuture<Void> sent =
                    CompletableFuture.runAsync(() -> b.sender().offer(item), callbacks);
            readable.cancel(false);
            assertThat(in.receive(Bounded.LIMIT)).as("round " + i).isEqualTo(item);
            Bounded.get(sent, "sent");
        }
    }

    @Test
    void aCancelRacingACompletionLeavesTheProducerSideUsable() throws Exception {
        Bridge<Integer> b = Bridge.builder().capacity(2).resumeWhenFree(1).open();
        Sender<Integer> out = b.sender();
        Receiver<Integer> in = b.receiver();
        for (int i = 0; i < ROUNDS * 5; i++) {
            out.offerMany(List.of(2 * i, 2 * i + 1)); // full
            CompletableFuture<Void> writable = out.writableAsync();
            CompletableFuture<Integer> took = CompletableFuture.supplyAsync(in::poll, callbacks);
            writable.cancel(false);
            assertThat(out.send(-i, Bounded.LIMIT)).as("round " + i).isTrue();
            assertThat(Bounded.get(took, "took")).isEqualTo(2 * i);
            assertThat(in.poll()).isEqualTo(2 * i + 1);
            assertThat(in.poll()).isEqualTo(-i);
        }
    }
}
