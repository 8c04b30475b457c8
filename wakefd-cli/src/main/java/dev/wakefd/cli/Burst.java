package dev.wakefd.cli;

import dev.wakefd.Waker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The coalescing phase of the demo: many producer threads publish work and call
 * {@link Waker#wake()} for each item, one consumer sleeps in {@link Waker#await(Duration)} and takes
 * what was published. The score is wakes asked for against {@link Waker#writes()}, the wakes that
 * paid a write(2). The consumer must see every item: a lost wake would leave it asleep with items
 * unseen, and the bounded wait turns that into a failure.
 */
final class Burst {
    private Burst() {}

    record Result(int producers, long asked, long writes, long consumerWakeups, long itemsSeen, long nanos) {
        double ratio() {
            return writes == 0 ? 0 : (double) asked / writes;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("producers", producers);
            m.put("wakes_asked", asked);
            m.put("writes", writes);
            m.put("wakes_per_write", Math.round(ratio() * 10) / 10.0);
            m.put("consumer_wakeups", consumerWakeups);
            m.put("items_seen", itemsSeen);
            m.put("elapsed_ns", nanos);
            return m;
        }
    }

    static Result run(int producers, int wakesEach, Duration timeout) throws Exception {
        long total = (long) producers * wakesEach;
        LongAdder published = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Waker waker = Waker.open()) {
            for (int p = 0; p < producers; p++) {
                threads.add(Thread.ofPlatform()
                        .name("wakefd-demo-producer-" + p)
                        .start(() -> {
                            try {
                                go.await();
                                for (int i = 0; i < wakesEach; i++) {
                                    published.increment(); // publish (a CAS), then wake: see the Waker protocol
                                    waker.wake();
                                }
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                        }));
            }
            long wakeups = 0;
            long seen = 0;
            long t0 = System.nanoTime();
            go.countDown();
            while (seen < total) {
                if (waker.await(timeout) == 0) {
                    if (!failures.isEmpty()) {
                        throw new Main.Failure("burst: a producer failed: " + failures.get(0), failures.get(0));
                    }
                    throw new Main.Failure("burst: the consumer saw " + seen + " of " + total
                            + " items and no wake came for " + timeout.toSeconds() + " s: a lost wake");
                }
                wakeups++;
                seen = published.sum(); // after the drain inside await(): sees all work published before the wake
            }
            long nanos = System.nanoTime() - t0;
            for (Thread t : threads) {
                if (!t.join(timeout)) {
                    throw new Main.Failure("burst: producer " + t.getName() + " did not finish");
                }
            }
            if (!failures.isEmpty()) {
                throw new Main.Failure("burst: a producer failed: " + failures.get(0), failures.get(0));
            }
            return new Result(producers, total, waker.writes(), wakeups, seen, nanos);
        }
    }
}
