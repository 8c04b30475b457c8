package dev.wakefd.netty;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.EventFd;
import dev.wakefd.internal.Platform;
import io.netty.channel.DefaultEventLoop;
import org.junit.jupiter.api.Test;

/** In POSIX-only mode (this module's posix-only surefire run) registration refuses, naming the mode. */
class PosixOnlyNettyTest {

    @Test
    void registrationRefusesNamingTheMode() throws Exception {
        assumeTrue(Platform.posixOnly(), "POSIX-only run");
        DefaultEventLoop loop = new DefaultEventLoop();
        try (EventFd e = EventFd.open()) {
            assertThatThrownBy(() -> NettyWake.register(loop, e, n -> {}))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("NettyWake.register")
                    .hasMessageContaining("POSIX-only mode");
        } finally {
            loop.shutdownGracefully().sync();
        }
    }
}
