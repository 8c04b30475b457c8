package dev.wakefd.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import dev.wakefd.ipc.internal.ScmRights;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With -Dwakefd.backend=pipe (wakefd-ipc's second surefire execution), what cannot work fails
 * clearly: sending a pipe-backed signal, and receiving an eventfd (which would need adopt). The
 * received fd is closed.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipeBackendIpcTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void sendingAndReceivingFailClearlyOnThePipeBackend() throws Throwable {
        assumeTrue("pipe".equals(System.getProperty("wakefd.backend")), "runs in the pipe-backend execution");
        String name = "wakefd-test-pipe-" + ProcessHandle.current().pid();
        try (FdListener l = FdListener.bindAbstract(name, PeerPolicy.sameUser());
                FdSocket c = FdSocket.connectAbstract(name);
                FdSocket s = l.accept(WAIT);
                EventFd e = EventFd.open();
                Waker w = Waker.open()) {
            assertThat(e.toString()).contains("pipe");
            for (dev.wakefd.WakeSignal signal : new dev.wakefd.WakeSignal[] {e, w}) {
                assertThatThrownBy(() -> c.send(signal))
                        .isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("pipe backend")
                        .hasMessageContaining("wakefd.backend=pipe");
            }
            assertThat(e.isOpen()).isTrue();

            Linker linker = Linker.nativeLinker();
            MethodHandle eventfd = linker.downcallHandle(
                    linker.defaultLookup().find("eventfd").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            int raw = (int) eventfd.invokeExact(0, 02000000 /* EFD_CLOEXEC */);
            assertThat(raw).isNotNegative();
            try {
                ScmRights.sendFd(c.fd(), raw, (byte) 'W');
            } finally {
                dev.wakefd.internal.FdCalls.close(raw); // in flight, the kernel holds its own reference
            }
            Set<String> before = FdPassingTest.fdTable();
            assertThatThrownBy(() -> s.receive(WAIT))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("pipe backend");
            assertThat(FdPassingTest.fdTable())
                    .as("the received eventfd was closed")
                    .isSubsetOf(before);
        }
    }
}
