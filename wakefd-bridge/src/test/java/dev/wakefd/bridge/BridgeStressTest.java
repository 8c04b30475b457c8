package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.Poller;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Passes many items across each pair of runtimes and checks every one: order (each item is the
 * expected object of a fixed pool, by identity), count and checksum. The producer and consumer
 * alternate single items and batches, and now and then yield, so both sides keep running into
 * empty and full and sleeping on the wake signals. A lost wake stalls the stream: every blocking
 * call is timed and fails, and a watchdog fails the test when neither index moved for
 * {@link Bounded#LIMIT}.
 *
 * <p>Size: {@code -Dwakefd.bridge.stress.items=N} items per pair (the build's default is small
 * for CI; see docs/bridge.md for the large run).
 */
class BridgeStressTest {
    static final long ITEMS = Long.getLong("wakefd.bridge.stress.items", 1_000_000);
    private static final int POOL = 4096;
    private static final Integer[] POOL_ITEMS = new Integer[POOL];

    static {
        for (int i = 0; i < POOL; i++) {
            POOL_ITEMS[i] = i; // distinct objects, compared by identity
        }
    }

    enum Pair {
        PLATFORM_TO_PLATFORM(false, false, Mode.THREAD),
        VIRTUAL_TO_PLATFORM(true, false, Mode.THREAD),
        PLATFORM_TO_VIRTUAL(false, true, Mode.THREAD),
        VIRTUAL_TO_VIRTUAL(true, true, Mode.THREAD),
        PLATFORM_TO_POLLER(false, false, Mode.POLLER),
        VIRTUAL_TO_FUTURES(true, false, Mode.FUTURES);

        final boolean virtualProducer;
        final boolean virtualConsumer;
        final Mode mode;

        Pair(boolean virtualProducer, boolean virtualConsumer, Mode mode) {
            this.virtualProducer = virtualProducer;
            this.virtualConsumer = virtualConsumer;
            this.mode = mode;
        }
    }

    enum Mode {
        THREAD,
        POLLER,
        FUTURES
    }

    /** What the consumer checks, item by item. */
    static final class Check implements Consumer<Integer> {
        long count;
        long sum;
        String error;

        @Override
        public void accept(Integer item) {
            Integer expected = POOL_ITEMS[(int) (count & (POOL - 1))];
            if (item != expected && error == null) {
                error = "item " + count + ": got " + item + ", expected " + expected + " (identity)";
            }
            sum += item;
            count++;
        }
    }

    private static long expectedSum(long n) {
        long full = n / POOL;
        long rest = n % POOL;
        return full * ((long) POOL * (POOL - 1) / 2) + rest * (rest - 1) / 2;
    }

    @ParameterizedTest
    @EnumSource(Pair.class)
    void everyItemArrivesOnceInOrder(Pair pair) throws Exception {
        // Small and with no look before sleeping: both transitions, and their sleeps and wakes, all
        // the time. Large with the default look (spin, or yield on one CPU): the path users get.
        boolean small = pair.ordinal() % 2 == 0;
        int capacity = small ? 16 : 1024;
        Bridge.Builder builder = Bridge.builder().capacity(capacity).resumeWhenFree(Math.max(1, capacity / 4));
        if (small) {
            builder.spinBeforeSleep(java.time.Duration.ZERO);
        }
        Bridge<Integer> bridge = builder.open();
        long seed = 0x5eed_0000L + pair.ordinal();
        Check check = new Check();
        CompletableFuture<Void> produced = Bounded.start(pair.virtualProducer, () -> {
            produce(bridge.sender(), new SplittableRandom(seed));
            return null;
        });
        Poller poller = pair.mode == Mode.POLLER ? Poller.open() : null;
        try {
            CompletableFuture<Void> consumed = switch (pair.mode) {
                case THREAD ->
                    Bounded.start(pair.virtualConsumer, () -> {
                        consumeOnThread(bridge.receiver(), check, new SplittableRandom(~seed));
                        return null;
                    });
                case POLLER -> {
                    CompletableFuture<Void> end = new CompletableFuture<>();
                    bridge.receiver().register(poller, check, () -> end.complete(null));
                    yield end;
                }
                case FUTURES -> consumeWithFutures(bridge.receiver(), check);
            };
            watch(bridge, produced, consumed, pair + ", seed " + Long.toHexString(seed));
        } finally {
            if (poller != null) {
                poller.close();
            }
            bridge.receiver().close(); // releases a stuck side, if any
        }
        assertThat(check.error).as("order").isNull();
        assertThat(check.count).as("count").isEqualTo(ITEMS);
        assertThat(check.sum).as("checksum").isEqualTo(expectedSum(ITEMS));
        BridgeMetrics m = bridge.metrics();
        assertThat(m.received()).isEqualTo(ITEMS);
        if (small) {
            assertThat(m.consumerWaits() + m.producerWaits())
                    .as("the sides did sleep")
                    .isPositive();
        }
        System.out.printf("%s: %,d items, capacity %d, %s%n", pair, ITEMS, capacity, m);
    }

    private static void produce(Sender<Integer> out, SplittableRandom rnd) throws Exception {
        List<Integer> batch = new ArrayList<>(64);
        long i = 0;
        while (i < ITEMS) {
            int burst = (int) Math.min(ITEMS - i, 1 + rnd.nextInt(64));
            if (rnd.nextBoolean()) {
                for (int k = 0; k < burst; k++, i++) {
                    if (!out.send(POOL_ITEMS[(int) (i & (POOL - 1))], Bounded.LIMIT)) {
                        throw new AssertionError("producer stalled at item " + i + " (lost wake?)");
                    }
                }
            } else {
                batch.clear();
                for (int k = 0; k < burst; k++) {
                    batch.add(POOL_ITEMS[(int) ((i + k) & (POOL - 1))]);
                }
                // sendMany waits unbounded: the watchdog bounds it
                out.sendMany(batch);
                i += burst;
            }
            if (rnd.nextInt(16) == 0) {
                Thread.yield(); // let the consumer empty the bridge and sleep
            }
        }
        out.close();
    }

    private static void consumeOnThread(Receiver<Integer> in, Check check, SplittableRandom rnd) throws Exception {
        while (true) {
            if (rnd.nextBoolean()) {
                Integer item = in.receive(Bounded.LIMIT);
                if (item == null) {
                    if (in.isEndOfStream()) {
                        return;
                    }
                    throw new AssertionError("consumer stalled after " + check.count + " items (lost wake?)");
                }
                check.accept(item);
            } else if (in.receiveMany(check, 1 + rnd.nextInt(128)) < 0) {
                return;
            }
            if (rnd.nextInt(16) == 0) {
                Thread.yield(); // let the producer fill the bridge and sleep
            }
        }
    }

    /** A chain of readableAsync futures; stages that find items drain them and ask again. */
    private static CompletableFuture<Void> consumeWithFutures(Receiver<Integer> in, Check check) {
        CompletableFuture<Void> end = new CompletableFuture<>();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            try {
                while (true) {
                    CompletableFuture<Boolean> f = in.readableAsync();
                    if (!f.isDone()) {
                        f.whenComplete((ready, failure) -> {
                            if (failure != null) {
                                end.completeExceptionally(failure);
                            } else if (!ready) {
                                end.complete(null);
                            } else {
                                in.drainTo(check, 256);
                                next[0].run();
                            }
                        });
                        return;
                    }
                    if (!f.join()) {
                        end.complete(null);
                        return;
                    }
                    in.drainTo(check, 256);
                }
            } catch (RuntimeException e) {
                end.completeExceptionally(e);
            }
        };
        next[0].run();
        return end;
    }

    /** Waits for both sides, failing if neither index moves for {@link Bounded#LIMIT}. */
    private static void watch(
            Bridge<?> bridge, CompletableFuture<?> produced, CompletableFuture<?> consumed, String what)
            throws Exception {
        CompletableFuture<Void> both = CompletableFuture.allOf(produced, consumed);
        long lastSent = -1, lastReceived = -1;
        long lastMove = System.nanoTime();
        while (true) {
            try {
                both.get(1, TimeUnit.SECONDS);
                produced.join();
                consumed.join();
                return;
            } catch (TimeoutException e) {
                if (produced.isCompletedExceptionally()) {
                    produced.join(); // a failing side fails the test at once
                }
                if (consumed.isCompletedExceptionally()) {
                    consumed.join();
                }
                BridgeMetrics m = bridge.metrics();
                if (m.sent() != lastSent || m.received() != lastReceived) {
                    lastSent = m.sent();
                    lastReceived = m.received();
                    lastMove = System.nanoTime();
                } else if (System.nanoTime() - lastMove > Bounded.LIMIT.toNanos()) {
                    throw new AssertionError(what + ": no progress for " + Bounded.LIMIT + " (lost wake?) " + m
                            + " producer announced=" + bridge.ring().producerAnnounced()
                            + " consumer announced=" + bridge.ring().consumerAnnounced());
                }
            }
        }
    }
}
