package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class EventFdTest {

    @Test
    void counterModeAccumulatesAndOneReadClearsIt() throws IOException {
        try (EventFd e = EventFd.open()) {
            assertThat(e.isSemaphore()).isFalse();
            assertThat(e.tryRead()).isZero();
            e.signal();
            e.signal(41);
            assertThat(SignalProbe.count(e)).isEqualTo(42);
            assertThat(e.tryRead()).isEqualTo(42);
            assertThat(e.tryRead()).isZero();
        }
    }

    @Test
    void openIsNonBlockingAndCloseOnExec() throws Throwable {
        TestBackend.assumeEventFd("checks the eventfd's /proc link and fdinfo");
        try (EventFd e = EventFd.open()) {
            assertThat(TestFds.isEventFd(e.fd())).isTrue();
            assertThat(TestFds.statusFlags(e.fd()) & TestFds.O_NONBLOCK).isNotZero();
            assertThat(TestFds.fdFlags(e.fd()) & 1).isEqualTo(1);
            assertThat(TestFds.fdinfo(e.fd()).get("eventfd-semaphore")).isEqualTo("0");
        }
    }

    @Test
    void closeOnExecCanBeTurnedOff() throws Throwable {
        try (EventFd e = EventFd.builder().closeOnExec(false).open()) {
            assertThat(TestFds.fdFlags(e.fd()) & 1).isZero();
            assertThat(TestFds.statusFlags(e.fd()) & TestFds.O_NONBLOCK).isNotZero();
        }
    }

    @Test
    void semaphoreModeTakesOneAtATime() throws IOException {
        try (EventFd e = EventFd.builder().semaphore(true).initialValue(2).open()) {
            assertThat(e.isSemaphore()).isTrue();
            e.signal();
            assertThat(e.tryRead()).isEqualTo(1);
            assertThat(e.tryRead()).isEqualTo(1);
            assertThat(e.tryRead()).isEqualTo(1);
            assertThat(e.tryRead()).isZero();
        }
    }

    @Test
    void initialValueBounds() throws IOException {
        try (EventFd e = EventFd.builder().initialValue(0xffff_ffffL).open()) {
            assertThat(e.tryRead()).isEqualTo(0xffff_ffffL);
        }
        assertThatThrownBy(() -> EventFd.builder().initialValue(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialValue(-1)")
                .hasMessageContaining("2^32-1");
        assertThatThrownBy(() -> EventFd.builder().initialValue(0x1_0000_0000L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialValue(4294967296)");
    }

    @Test
    void badSignalCountsAreRefusedAndChangeNothing() throws IOException {
        try (EventFd e = EventFd.open()) {
            e.signal(3);
            for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
                assertThatThrownBy(() -> e.signal(bad))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("signal(" + bad + ")")
                        .hasMessageContaining("between 1 and Long.MAX_VALUE");
            }
            assertThat(e.tryRead()).isEqualTo(3);
        }
    }

    @Test
    void fullCounterKeepsSignalButRefusesSignalN() throws IOException {
        try (EventFd e = EventFd.open()) {
            e.signal(Long.MAX_VALUE);
            e.signal(Long.MAX_VALUE - 1); // now 2^64 - 3
            e.signal(1); // 2^64 - 2: full
            e.signal(); // a wake is pending: succeeds without adding
            assertThatThrownBy(() -> e.signal(1))
                    .isInstanceOf(CounterFullException.class)
                    .hasMessageContaining("nothing was added")
                    .satisfies(t ->
                            assertThat(((CounterFullException) t).requested()).isEqualTo(1));
            long v = e.tryRead();
            assertThat(Long.toUnsignedString(v)).isEqualTo("18446744073709551614");
            assertThat(Long.compareUnsigned(v, Long.MAX_VALUE)).isPositive();
            assertThat(e.tryRead()).isZero();
        }
    }

    @Test
    void closedEventFdRefusesEveryCallAndCloseIsIdempotent() throws IOException {
        EventFd e = EventFd.open();
        int fd = e.fd();
        e.close();
        e.close();
        assertThat(e.isOpen()).isFalse();
        assertThat(TestFds.isSignalFd(fd)).isFalse();
        assertThatThrownBy(e::signal)
                .isInstanceOf(ClosedChannelException.class)
                .hasMessageContaining("fd=" + fd)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> e.signal(2)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(e::tryRead).isInstanceOf(ClosedChannelException.class);
        assertThat(e.toString()).contains("fd=" + fd).contains("closed");
    }

    @Test
    void duplicateSharesTheCounterAndClosesIndependently() throws IOException {
        EventFd a = EventFd.builder().semaphore(true).open();
        EventFd b = a.duplicate();
        assertThat(b.fd()).isNotEqualTo(a.fd());
        assertThat(b.isSemaphore()).isTrue();
        a.signal(2);
        assertThat(b.tryRead()).isEqualTo(1);
        a.close();
        assertThat(b.tryRead()).isEqualTo(1);
        b.signal();
        assertThat(b.tryRead()).isEqualTo(1);
        b.close();
        assertThatThrownBy(a::duplicate).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void criticalCallsStopOnceTheDescriptionIsShared() throws IOException {
        TestBackend.assumeEventFd("critical downcalls are an eventfd-backend matter");
        try (EventFd e = EventFd.open();
                EventFd inheritable = EventFd.builder().closeOnExec(false).open()) {
            assertThat(e.guard.shortCalls()).isTrue();
            assertThat(inheritable.guard.shortCalls())
                    .as("an fd a child may inherit is never critical")
                    .isFalse();
            try (EventFd dup = e.duplicate()) {
                assertThat(e.guard.shortCalls()).isFalse();
                assertThat(dup.guard.shortCalls()).isFalse();
            }
            e.signal();
            assertThat(e.tryRead()).isEqualTo(1);
            e.signal(3);
            assertThat(e.tryRead()).as("the lease path counts the same").isEqualTo(3);
        }
    }

    @Test
    void toStringHelpsInADebugger() throws IOException {
        try (EventFd e = EventFd.builder().semaphore(true).open()) {
            assertThat(e.toString())
                    .isEqualTo("EventFd[fd=" + e.fd() + ", semaphore, " + TestBackend.kind() + ", open]");
        }
    }

    @Test
    void noFdLeakOverManyOpenCloseCycles() throws IOException {
        long before = TestFds.openFdCount();
        for (int i = 0; i < 20_000; i++) {
            EventFd e = (i % 2 == 0)
                    ? EventFd.open()
                    : EventFd.builder().semaphore(true).open();
            e.signal();
            e.close();
        }
        assertThat(TestFds.openFdCount()).isEqualTo(before);
    }
}
