package dev.wakefd.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.wakefd.ipc.FdListener;
import dev.wakefd.ipc.PeerPolicy;
import java.io.IOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ends a program forgets (Cleaner, daemon peer watch) and ends used by two threads at once
 * (misuse detection). Design: docs/design/shm-ring.md ("Ownership", "One thread per end").
 */
@Timeout(120)
class ShmLifecycleTest {
    /** Bounded: a failure reports after this many collections instead of hanging. */
    private static final int MAX_GCS = 500;

    /** Collects until {@code done} holds, at most {@link #MAX_GCS} times; no sleeps, no timing. */
    private static boolean collectUntil(BooleanSupplier done, ReferenceQueue<Object> queue) throws Exception {
        for (int i = 0; i < MAX_GCS; i++) {
            if (done.getAsBoolean()) {
                return true;
            }
            System.gc();
            queue.remove(10); // wakes as soon as a forgotten end is collected
        }
        return done.getAsBoolean();
    }

    private static long shmFdsOrFail() {
        try {
            return Channels.shmFds();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long mappingsOrFail() {
        try {
            return Channels.shmMappings();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Makes a pair, uses it, and forgets it: only weak references leave this method. */
    private static void forgetAPair(ReferenceQueue<Object> q, WeakReference<?>[] refs, int at) throws Exception {
        Channels.Pair p = Channels.pair(1 << 16);
        p.sender().send(new byte[100]);
        assertThat(p.receiver().receive()).hasSize(100);
        refs[at] = new WeakReference<>(p.sender(), q);
        refs[at + 1] = new WeakReference<>(p.receiver(), q);
    }

    /**
     * Every class that owns an fd (EventFd, the ipc socket and listener, a channel end, the
     * platform waiter) registers with one Cleaner: one thread for the library, where each
     * {@code Cleaner.create()} would start one ("Cleaner-N").
     */
    @Test
    void oneCleanerThreadServesEveryModule() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            p.sender().send(new byte[] {1});
            assertThat(p.receiver().receive()).containsExactly(1);
        }
        List<String> names = Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(n -> n.equals("wakefd-cleaner") || n.matches("Cleaner-\\d+"))
                .toList();
        assertThat(names).containsExactly("wakefd-cleaner");
    }

    @Test
    void forgottenEndsReleaseTheirMappingAndFds() throws Exception {
        Channels.pair(4096).close(); // warm up: the peer watch's poller, class loading
        long fds = Channels.shmFds(), maps = Channels.shmMappings();
        ReferenceQueue<Object> q = new ReferenceQueue<>();
        WeakReference<?>[] refs = new WeakReference<?>[6];
        for (int i = 0; i < 3; i++) {
            forgetAPair(q, refs, 2 * i);
        }
        assertThat(Channels.shmFds())
                .as("3 pairs open: a socket, 2 eventfds, a memfd each end")
                .isGreaterThanOrEqualTo(fds + 3 * 2 * 4);
        assertThat(Channels.shmMappings()).isEqualTo(maps + 6);
        boolean released = collectUntil(() -> shmFdsOrFail() == fds && mappingsOrFail() == maps, q);
        if (!released) {
            fail("after " + MAX_GCS + " collections: " + (Channels.shmFds() - fds) + " sockets/eventfds/memfds and "
                    + (Channels.shmMappings() - maps) + " mappings of forgotten ends remain; fds: "
                    + Channels.fdList());
        }
        for (WeakReference<?> r : refs) {
            assertThat(r.get()).as("a forgotten end was collected").isNull();
        }
    }

    private static ShmReceiver receiverWithAForgottenSender(
            ReferenceQueue<Object> q, AtomicReference<WeakReference<?>> ref) throws Exception {
        Channels.Pair p = Channels.pair(1 << 16);
        p.sender().send("last words".getBytes());
        ref.set(new WeakReference<>(p.sender(), q));
        return p.receiver();
    }

    @Test
    void aForgottenSenderIsAHangUpForItsReceiver() throws Exception {
        ReferenceQueue<Object> q = new ReferenceQueue<>();
        AtomicReference<WeakReference<?>> ref = new AtomicReference<>();
        try (ShmReceiver rx = receiverWithAForgottenSender(q, ref)) {
            assertThat(collectUntil(() -> ref.get().get() == null && rx.peerGone(), q))
                    .as("the forgotten sender was collected and its socket closed")
                    .isTrue();
            assertThat(new String(rx.receive())).isEqualTo("last words");
            assertThatThrownBy(rx::receive)
                    .isInstanceOf(ShmClosedException.class)
                    .hasMessageContaining("hung up")
                    .hasMessageContaining("all 1 messages");
        }
    }

    @Test
    void aChildThatForgetsToCloseStillExits() throws Exception {
        String name = Channels.uniqueName();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser())) {
            Process child = Children.java("forget", name);
            try (ShmSender tx = Shm.createSender(l.accept(Duration.ofSeconds(60)), 1 << 16)) {
                tx.send("hello".getBytes()); // the child returns from main after this, its channel open
                // bounded wait for the child: with a non-daemon peer-watch thread it would never exit
                if (!child.waitFor(60, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                    fail("the child that forgot to close its channel did not exit within 60 s (a non-daemon"
                            + " thread keeps it alive)");
                }
                assertThat(child.exitValue()).isZero();
                assertThat(new String(child.getInputStream().readAllBytes()).trim())
                        .isEqualTo("READY\nGOT hello");
            }
        }
    }

    @Test
    void aSecondThreadOnTheReceiverGetsIllegalStateException() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            p.sender().send(new byte[] {1});
            CountDownLatch inSink = new CountDownLatch(1), leave = new CountDownLatch(1);
            Thread a = Thread.ofPlatform().name("first-receiver").start(() -> {
                try {
                    p.receiver()
                            .receiveMany(
                                    m -> {
                                        inSink.countDown();
                                        try {
                                            leave.await();
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                        }
                                    },
                                    10);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            inSink.await();
            for (ThrowingCall call : new ThrowingCall[] {
                p.receiver()::poll, p.receiver()::receive, p.receiver()::pollView, p.receiver()::prepareToWait
            }) {
                assertThatThrownBy(call::run)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("misuse")
                        .hasMessageContaining("first-receiver");
            }
            assertThat(p.receiver().receiveAsync())
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(IllegalStateException.class);
            leave.countDown();
            a.join();
            p.sender().send(new byte[] {2});
            assertThat(p.receiver().poll()).containsExactly(2); // usable again once the first thread left
        }
    }

    interface ThrowingCall {
        Object run() throws Exception;
    }

    @Test
    void aSecondThreadOnTheSenderGetsIllegalStateException() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            byte[] big = new byte[p.sender().maxMessage()];
            while (p.sender().offer(big)) {
                // fill the ring
            }
            CountDownLatch sent = new CountDownLatch(1);
            Thread a = Thread.ofPlatform().name("first-sender").start(() -> {
                while (true) {
                    try {
                        p.sender().send(big); // waits for room, holding the sender
                        sent.countDown();
                        return;
                    } catch (IllegalStateException collided) {
                        // the probe below held the sender at that moment: try again
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            });
            IllegalStateException seen = null;
            for (long i = 0; seen == null && i < 1_000_000_000L; i++) {
                try {
                    assertThat(p.sender().offer(new byte[1])).isFalse(); // full: refused, nothing written
                } catch (IllegalStateException e) {
                    seen = e;
                }
            }
            assertThat(seen)
                    .as("an offer while another thread waits in send")
                    .isNotNull()
                    .hasMessageContaining("misuse")
                    .hasMessageContaining("first-sender");
            while (p.receiver().poll() != null || sent.getCount() > 0) {
                // drain until the first thread's send went through
            }
            a.join();
        }
    }

    /**
     * Two threads offer on one sender at once: every offer either goes through whole or throws
     * IllegalStateException, and the receiver gets exactly the offers that went through, intact and
     * in each thread's order. Without the claim the two would write the same slot (a negative
     * control: remove {@code enter} from {@code offer} and this fails with corrupt or lost messages).
     */
    @Test
    void concurrentOffersNeverCorruptTheRing() throws Exception {
        try (Channels.Pair p = Channels.pair(1 << 16)) {
            int perThread = 200_000;
            AtomicLong[] sent = {new AtomicLong(), new AtomicLong()};
            AtomicLong refused = new AtomicLong();
            Thread[] ts = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int id = t;
                ts[t] = Thread.ofPlatform().start(() -> {
                    byte[] m = new byte[16 + 8 * id]; // two sizes: overlapping writes would tear records
                    ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                    for (long i = 0; i < perThread; ) {
                        b.putLong(0, id).putLong(8, i);
                        try {
                            if (p.sender().offer(m)) {
                                sent[id].incrementAndGet();
                                i++;
                            }
                        } catch (IllegalStateException e) {
                            refused.incrementAndGet();
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                });
            }
            long[] next = new long[2];
            long got = 0;
            while (got < 2L * perThread) {
                byte[] m = p.receiver().receive(Duration.ofSeconds(30));
                ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
                int id = (int) b.getLong(0);
                assertThat(id).isBetween(0, 1);
                assertThat(m).hasSize(16 + 8 * id);
                assertThat(b.getLong(8)).as("thread %d's order", id).isEqualTo(next[id]++);
                got++;
            }
            for (Thread t : ts) {
                t.join();
            }
            assertThat(p.receiver().poll()).isNull();
            assertThat(sent[0].get() + sent[1].get()).isEqualTo(got);
        }
    }
}
