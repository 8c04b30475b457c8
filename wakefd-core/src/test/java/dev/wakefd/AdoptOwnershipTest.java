package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** adopt refuses an fd that a live EventFd of this JVM owns: one owner, one close(2). See OwnedFds. */
class AdoptOwnershipTest {
    private static final Linker L = Linker.nativeLinker();
    private static final MethodHandle DUP2 = L.downcallHandle(
            L.defaultLookup().find("dup2").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    @BeforeEach
    void eventFdBackendOnly() {
        TestBackend.assumeEventFd("adopt takes over a kernel eventfd");
    }

    /** Puts a raw eventfd holding {@code count} at fd number {@code at} (dup2), as a native library might. */
    private static void rawEventFdAt(int at, int count) throws Throwable {
        int raw = TestFds.rawEventFd(count, TestFds.O_CLOEXEC);
        if (raw == at) {
            return; // the kernel reused the lowest free number already
        }
        try {
            assertThat((int) DUP2.invokeExact(raw, at)).isEqualTo(at);
        } finally {
            TestFds.close(raw);
        }
    }

    @Test
    void refusesTheFdOfALiveEventFdAndLeavesThatOneWorking() throws Throwable {
        try (EventFd e = EventFd.open();
                EventFd dup = e.duplicate()) {
            for (int fd : new int[] {e.fd(), dup.fd()}) {
                assertThatThrownBy(() -> EventFd.adopt(fd))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("adopt(" + fd + "): fd " + fd + " is owned by a live EventFd")
                        .hasMessageContaining("one owner");
                assertThatThrownBy(() -> EventFd.adopt(fd, false))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("owned by a live EventFd");
            }
            e.signal(3);
            assertThat(dup.tryRead()).isEqualTo(3);
            assertThat(TestFds.isEventFd(e.fd())).isTrue();
        }
    }

    @Test
    void closeFreesTheNumberForAdoptAndEachOwnerClosesItOnce() throws Throwable {
        EventFd first = EventFd.open();
        int n = first.fd();
        assertThatThrownBy(() -> EventFd.adopt(n)).isInstanceOf(IllegalArgumentException.class);
        first.close();
        first.close(); // idempotent: no second close(2)
        // A foreign eventfd now sits at the same number; the closed EventFd no longer owns it.
        rawEventFdAt(n, 7);
        EventFd second = EventFd.adopt(n);
        assertThat(second.fd()).isEqualTo(n);
        assertThat(second.tryRead()).isEqualTo(7);
        first.close(); // a late close of the old owner must not touch the reused number
        assertThat(TestFds.isEventFd(n))
                .as("the old owner did not close the reused number")
                .isTrue();
        second.signal();
        assertThat(second.tryRead()).isEqualTo(1);
        second.close();
        assertThat(TestFds.isEventFd(n)).as("the adopter closed it").isFalse();
    }

    @Test
    void aRefusedAdoptOfAForeignFdLeavesItFreeToAdopt() throws Throwable {
        int fd = TestFds.rawEventFd(2, TestFds.O_CLOEXEC);
        assertThatThrownBy(() -> EventFd.adopt(fd, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eventfd-semaphore: 0"); // refused for its mode: the claim is given back
        try (EventFd e = EventFd.adopt(fd)) {
            assertThat(e.tryRead()).isEqualTo(2);
        }
    }

    /** Two threads adopt the same foreign fd at once, many times: exactly one may win each time. */
    @Test
    void concurrentAdoptsOfOneFdHaveOneWinner() throws Throwable {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 300; round++) {
                int fd = TestFds.rawEventFd(0, TestFds.O_CLOEXEC);
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<EventFd>> tries = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    tries.add(pool.submit(() -> {
                        start.await();
                        try {
                            return EventFd.adopt(fd);
                        } catch (IllegalArgumentException refused) {
                            assertThat(refused).hasMessageContaining("owned by a live EventFd");
                            return null;
                        }
                    }));
                }
                List<EventFd> won = new ArrayList<>();
                for (Future<EventFd> f : tries) {
                    EventFd e = f.get();
                    if (e != null) {
                        won.add(e);
                    }
                }
                assertThat(won).as("round " + round + ": adopters of fd " + fd).hasSize(1);
                won.get(0).close();
                assertThat(TestFds.isEventFd(fd)).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
