package dev.wakefd.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.ipc.PeerPolicy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real child processes (Java, Python, C) at the other end: conservation and order of many
 * messages with random sizes both ways, either side creating the channel, kill -9 of either
 * side mid-stream, a peer that corrupts the region or the set-up message, and fd and mapping
 * leak checks after each test.
 */
@Timeout(300)
class CrossProcessTest {
    static final long STRESS = Long.getLong("wakefd.shm.stress.messages", 2_000_000);
    String name;
    FdListener listener;
    long fdsBefore, mapsBefore;

    /** Starts what lives once per JVM or thread (core's shared poller, this thread's waiter) before fds are counted. */
    @BeforeAll
    static void warmUp() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            java.util.concurrent.CompletableFuture<byte[]> f = p.receiver().receiveAsync();
            p.sender().send(new byte[1]);
            f.get();
            p.sender().send(new byte[1]);
            p.receiver().receive(Duration.ofSeconds(1));
            p.receiver().spinBeforeSleep(Duration.ZERO);
            // this thread's own epoll set and wake fd (core's PlatformWaiter) live as long as the thread;
            // 100 ms, not 1: a first call slower than its limit (class loading on a busy machine) times
            // out before it sleeps, and the waiter would then appear in the first test instead
            assertThatThrownBy(() -> p.receiver().receive(Duration.ofMillis(100)))
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    @BeforeEach
    void listen() throws Exception {
        name = Channels.uniqueName();
        listener = FdListener.bindAbstract(name, PeerPolicy.sameUser());
        fdsBefore = Channels.shmFds();
        mapsBefore = Channels.shmMappings();
    }

    @AfterEach
    void noLeaks() throws Exception {
        listener.close();
        // Core closes an EventFd's number when its last lease is gone, which for an fd a waiter
        // registered with core's poller is on the poller thread right after close(): wait for
        // that (bounded), then compare. The listener's socket is gone too.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((Channels.shmFds() != fdsBefore - 1 || Channels.shmMappings() != mapsBefore)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(Channels.shmMappings())
                .as("wakefd-shm mappings left in /proc/self/maps")
                .isEqualTo(mapsBefore);
        assertThat(Channels.shmFds())
                .as("sockets, eventfds and memfds in /proc/self/fd: %s", Channels.fdList())
                .isEqualTo(fdsBefore - 1);
    }

    FdSocket accept() throws Exception {
        return listener.accept(Duration.ofSeconds(30));
    }

    void sendPattern(ShmSender tx, long count, long seed, int maxLen) throws Exception {
        Pattern p = new Pattern(seed, maxLen);
        List<byte[]> batch = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            batch.add(p.next());
            if (batch.size() == 256) {
                tx.sendMany(batch);
                batch.clear();
            }
        }
        tx.sendMany(batch);
        tx.close();
    }

    long receivePattern(ShmReceiver rx, long seed, int maxLen) throws Exception {
        Pattern p = new Pattern(seed, maxLen);
        while (rx.receiveMany(p::check, 4096) >= 0) {
            // checked in the sink
        }
        rx.close();
        return p.count();
    }

    @Test
    void javaToJavaChild() throws Exception {
        Process child = Children.java("accept-recv", name, Long.toString(STRESS), "11", "300");
        sendPattern(Shm.createSender(accept(), 1 << 16), STRESS, 11, 300);
        assertThat(Children.finish(child, 240)).isEqualTo("OK " + STRESS);
    }

    @Test
    void javaChildToJava() throws Exception {
        Process child = Children.java("accept-send", name, Long.toString(STRESS), "12", "300");
        assertThat(receivePattern(Shm.createReceiver(accept(), 1 << 16), 12, 300))
                .isEqualTo(STRESS);
        assertThat(Children.finish(child, 240)).isEqualTo("OK " + STRESS);
    }

    static final long PEER_COUNT = 200_000;

    @ParameterizedTest
    @ValueSource(strings = {"python", "c"})
    void peerReceivesWhatJavaCreatedAndSends(String lang) throws Exception {
        Process child = start(lang, "accept-recv", Long.toString(PEER_COUNT), "21", "200");
        sendPattern(Shm.createSender(accept(), 1 << 14), PEER_COUNT, 21, 200);
        assertThat(Children.finish(child, 240)).isEqualTo("OK " + PEER_COUNT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "c"})
    void peerSendsIntoWhatJavaCreated(String lang) throws Exception {
        Process child = start(lang, "accept-send", Long.toString(PEER_COUNT), "22", "200");
        assertThat(receivePattern(Shm.createReceiver(accept(), 1 << 14), 22, 200))
                .isEqualTo(PEER_COUNT);
        assertThat(Children.finish(child, 240)).isEqualTo("OK " + PEER_COUNT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "c"})
    void peerCreatesAndSends(String lang) throws Exception {
        Process child = start(lang, "create-send", Long.toString(PEER_COUNT), "23", "200", "8192");
        assertThat(receivePattern(Shm.acceptReceiver(accept(), Duration.ofSeconds(30)), 23, 200))
                .isEqualTo(PEER_COUNT);
        assertThat(Children.finish(child, 240)).isEqualTo("OK " + PEER_COUNT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"python", "c"})
    void peerCreatesAndReceives(String lang) throws Exception {
        Process child = start(lang, "create-recv", Long.toString(PEER_COUNT), "24", "200", "8192");
        sendPattern(Shm.acceptSender(accept(), Duration.ofSeconds(30)), PEER_COUNT, 24, 200);
        assertThat(Children.finish(child, 240)).isEqualTo("OK " + PEER_COUNT);
    }

    Process start(String lang, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = args[0];
        all[1] = name;
        System.arraycopy(args, 1, all, 2, args.length - 1);
        return lang.equals("python") ? Children.python(all) : Children.c(all);
    }

    /** kill -9 of the sender mid-stream: every fully published message arrives, in order, then a clear exception. */
    @ParameterizedTest
    @ValueSource(strings = {"java", "python"})
    void senderKilledMidStream(String lang) throws Exception {
        Process child = lang.equals("java") ? Children.java("spam", name) : Children.python("spam", name);
        ShmReceiver rx = Shm.createReceiver(accept(), 1 << 14);
        long next = 0;
        Function<byte[], Long> seq =
                m -> ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        while (next < 20_000) {
            byte[] m = rx.receive();
            assertThat(seq.apply(m)).isEqualTo(next++);
        }
        child.destroyForcibly(); // SIGKILL
        child.waitFor();
        long[] n = {next};
        assertThatThrownBy(() -> {
                    while (true) {
                        byte[] m = rx.receive();
                        assertThat(m)
                                .as("a stream that ends without close must not read as end of stream")
                                .isNotNull();
                        assertThat(seq.apply(m)).isEqualTo(n[0]++);
                    }
                })
                .isInstanceOf(ShmClosedException.class)
                .hasMessageContaining("hung up")
                .hasMessageContaining("all " + n[0] + " messages");
        assertThat(rx.isOpen()).isTrue(); // the survivor closes it
        rx.close();
    }

    /** kill -9 of the receiver while the sender is blocked on a full ring: the sender wakes with a clear exception. */
    @Test
    void receiverKilledWhileSenderWaits() throws Exception {
        Process child = Children.java("sink", name);
        try (ShmSender tx = Shm.createSender(accept(), 1 << 12)) {
            assertThat(Children.line(child)).isEqualTo("READY");
            byte[] m = new byte[500];
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    while (tx.usedBytes() < 3000) { // the ring is nearly full: the sender is about to block
                        Thread.onSpinWait();
                    }
                    child.destroyForcibly();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThatThrownBy(() -> {
                        while (true) {
                            tx.send(m);
                        }
                    })
                    .isInstanceOf(ShmClosedException.class)
                    .hasMessageContaining("hung up");
            killer.join();
            child.waitFor();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tail-jump", "tail-back", "length", "past-tail", "stamp", "pad-past-tail", "garbage"})
    void corruptRegionClosesTheChannelCleanly(String what) throws Exception {
        Process child = Children.python("fuzz", name, what);
        ShmReceiver rx = Shm.acceptReceiver(accept(), Duration.ofSeconds(30));
        Children.go(child);
        assertThat(Children.line(child)).isEqualTo("OK 0");
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 100; i++) {
                        rx.receive(Duration.ofSeconds(30));
                    }
                })
                .isInstanceOf(ShmCorruptedException.class)
                .hasMessageContaining("corrupted by the peer");
        assertThat(rx.isOpen()).isFalse();
        child.getOutputStream().close();
        Children.finish(child, 30);
    }

    @Test
    void headerChangedAfterSetUpIsNeverReadAgain() throws Exception {
        Process child = Children.python("fuzz", name, "header");
        try (ShmReceiver rx = Shm.acceptReceiver(accept(), Duration.ofSeconds(30))) {
            Children.go(child);
            assertThat(Children.line(child)).isEqualTo("OK 0");
            for (int i = 0; i < 3; i++) {
                assertThat(rx.receive()).hasSize(20);
            }
            assertThat(rx.receive()).containsExactly("after".getBytes());
            assertThat(rx.receive()).isNull();
        }
        child.getOutputStream().close();
        Children.finish(child, 30);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "magic",
                "version",
                "capacity",
                "role",
                "unsealed",
                "semaphore",
                "pipe",
                "two-fds",
                "same-eventfd",
                "not-eventfd"
            })
    void badSetUpIsRefusedBeforeMapping(String what) throws Exception {
        Process child = Children.python("badsetup", name, what);
        assertThatThrownBy(() -> Shm.acceptReceiver(accept(), Duration.ofSeconds(30)))
                .isInstanceOf(ShmCorruptedException.class)
                .hasMessageMatching("(?s).*(must|not|same|expected|speaks|needs).*");
        child.getOutputStream().close();
        Children.finish(child, 30);
    }
}
