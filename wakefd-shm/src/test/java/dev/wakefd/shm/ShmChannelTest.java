package dev.wakefd.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.Poller;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The channel's semantics with both ends in this process (set up over a real socket). */
@Timeout(60)
class ShmChannelTest {

    @Test
    void messagesArriveInOrderThenEndOfStream() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            p.sender().send("hello".getBytes());
            p.sender().send(new byte[0]);
            p.sender().close();
            assertThat(new String(p.receiver().receive())).isEqualTo("hello");
            assertThat(p.receiver().receive()).isEmpty();
            assertThat(p.receiver().receive()).isNull();
            assertThat(p.receiver().isEndOfStream()).isTrue();
        }
    }

    /** The counters: a wake per announced sleep (not per message), a sleep and a wait per blocked call that slept. */
    @Test
    void countersCountWakesSleepsAndWaits() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            ShmSender tx = p.sender();
            ShmReceiver rx = p.receiver();
            assertThat(rx.prepareToWait()).isTrue(); // announced: the next publication wakes it
            tx.send(new byte[8]);
            tx.send(new byte[8]); // the same announcement: no second wake
            assertThat(tx.wakes()).isEqualTo(1);
            assertThat(rx.signal().consume()).isEqualTo(1); // the event loop's part: the wake, then drain
            assertThat(rx.drainTo(m -> {}, 10)).isEqualTo(2);
            assertThat(tx.sleeps()).isZero();
            rx.spinBeforeSleep(Duration.ZERO); // the blocked call sleeps at once
            // Long enough that a loaded machine does not pass the deadline before the sleep (then
            // the call throws without sleeping; seen with 1 ms while other builds ran).
            assertThatThrownBy(() -> rx.receive(Duration.ofMillis(200))).isInstanceOf(SocketTimeoutException.class);
            assertThat(rx.sleeps()).isEqualTo(1);
            assertThat(rx.waits()).isEqualTo(1);
            assertThat(rx.wakes()).isZero();
        }
    }

    /** Every record size 0..80 at every 8-byte alignment of the ring's end: pads and wrap-around. */
    @Test
    void wrapAroundAtEveryAlignment() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            long sent = 0;
            for (int shift = 0; shift < 4096 / 8 + 3; shift++) {
                byte[] filler = new byte[(shift % 50) * 8 + 3];
                p.sender().send(filler);
                assertThat(p.receiver().poll()).hasSize(filler.length);
                for (int len = 0; len <= 80; len++) {
                    byte[] m = new byte[len];
                    for (int k = 0; k < len; k++) {
                        m[k] = (byte) (sent + k);
                    }
                    p.sender().send(m);
                    byte[] got = p.receiver().poll();
                    assertThat(got).isEqualTo(m);
                    sent++;
                }
            }
        }
    }

    @Test
    void conservationAndOrderWithRandomSizesAcrossThreads() throws Exception {
        int n = 300_000;
        try (Channels.Pair p = Channels.pair(1 << 16)) {
            Thread producer = Thread.ofVirtual().start(() -> {
                Pattern pat = new Pattern(99, 700);
                try {
                    for (int i = 0; i < n; i++) {
                        p.sender().send(pat.next());
                    }
                    p.sender().close();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Pattern check = new Pattern(99, 700);
            List<byte[]> batch = new ArrayList<>();
            while (p.receiver().receiveMany(batch::add, 1000) >= 0) {
                batch.forEach(check::check);
                batch.clear();
            }
            producer.join();
            assertThat(check.count()).isEqualTo(n);
        }
    }

    @Test
    void fullRingRefusesOffersAndSendWaitsForRoom() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            byte[] m = new byte[100];
            int fitted = 0;
            while (p.sender().offer(m)) {
                fitted++;
            }
            assertThat(fitted).isEqualTo(4096 / 112); // 8-byte header + 104 padded payload
            assertThatThrownBy(() -> p.sender().send(m, Duration.ofMillis(50)))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("no room");
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                started.countDown();
                try {
                    p.sender().send(m);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            started.await();
            for (int i = 0; i <= fitted; i++) { // taking them frees room; the blocked send completes
                assertThat(p.receiver().receive()).hasSize(100);
            }
            blocked.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void receiverCloseFailsTheSenderAndWakesIt() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            byte[] m = new byte[1000];
            while (p.sender().offer(m)) {
                // fill
            }
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try {
                    p.sender().send(m);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            p.receiver().close();
            assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ShmClosedException.class)
                    .hasMessageContaining("receiver");
            assertThatThrownBy(() -> p.sender().offer(m)).isInstanceOf(ShmClosedException.class);
        }
    }

    @Test
    void closeWakesABlockedReceiveOnTheSameEnd() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            CompletableFuture<byte[]> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.receiver().receive();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            p.receiver().close(); // before or during the wait: either way the receive ends

            assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> p.receiver().poll()).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void viewsAreReadOnlyAndHoldTheirSpaceUntilReleased() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            p.sender().send(new byte[] {1, 2, 3});
            p.sender().send(new byte[] {4});
            ShmMessage v = p.receiver().pollView();
            assertThat(v.toArray()).containsExactly(1, 2, 3);
            assertThatThrownBy(() -> v.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 9))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> p.receiver().poll())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("release");
            v.release();
            v.release(); // idempotent
            List<Integer> sizes = new ArrayList<>();
            assertThat(p.receiver().drainViews(s -> sizes.add((int) s.byteSize()), 10))
                    .isEqualTo(1);
            assertThat(sizes).containsExactly(1);
        }
    }

    @Test
    void futuresAndPollerHandlers() throws Exception {
        try (Channels.Pair p = Channels.pair(4096);
                Poller poller = Poller.open()) {
            CompletableFuture<byte[]> f = p.receiver().receiveAsync();
            p.sender().send(new byte[] {7});
            assertThat(f.get(10, TimeUnit.SECONDS)).containsExactly(7);

            List<byte[]> got = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicReference<IOException> end = new AtomicReference<>();
            CountDownLatch ended = new CountDownLatch(1);
            p.sender().send(new byte[] {8});
            Poller.Registration r = p.receiver().register(poller, got::add, e -> {
                end.set(e);
                ended.countDown();
            });
            for (int i = 0; i < 5000; i++) {
                p.sender().send(new byte[] {(byte) i});
            }
            p.sender().close();
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(end.get()).isNull();
            assertThat(got).hasSize(5001);
            r.cancel();
        }
    }

    @Test
    void capacityAndMessageSizeAreChecked() throws Exception {
        assertThatThrownBy(() -> Channels.pair(5000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity 5000: must be a power of two");
        try (Channels.Pair p = Channels.pair(4096)) {
            assertThat(p.sender().maxMessage()).isEqualTo(2040);
            assertThatThrownBy(() -> p.sender().offer(new byte[2041]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("message of 2041 bytes: must be 0 to 2040");
            p.sender().send(new byte[2040]);
            assertThat(p.receiver().poll()).hasSize(2040);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void noFdOrMappingLeaks(boolean senderClosesFirst) throws Exception {
        Channels.pair(4096).close(); // warm up: the peer watch's poller, class loading
        long fds = Channels.openFds(), maps = Channels.shmMappings();
        for (int i = 0; i < 20; i++) {
            Channels.Pair p = Channels.pair(1 << 16);
            p.sender().send(new byte[10]);
            if (senderClosesFirst) {
                p.sender().close();
                p.receiver().close();
            } else {
                p.receiver().close();
                p.sender().close();
            }
        }
        assertThat(Channels.shmMappings()).isEqualTo(maps);
        assertThat(Channels.openFds()).isEqualTo(fds);
    }
}
