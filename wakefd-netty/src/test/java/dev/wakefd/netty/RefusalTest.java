package dev.wakefd.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.EventFd;
import dev.wakefd.netty.testing.Fds;
import dev.wakefd.netty.testing.LoopKind;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Loops that cannot watch an fd, and signals that cannot be watched, are refused clearly. */
class RefusalTest {

    @Test
    void nioLocalAndPlainLoopsAreRefusedWithWhatToUseInstead() throws Exception {
        MultiThreadIoEventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        MultiThreadIoEventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        DefaultEventLoop plain = new DefaultEventLoop();
        try (EventFd fd = EventFd.open()) {
            long id = Fds.eventfdId(fd.fd()).orElseThrow();
            assertRefused(nio.next(), fd, "NioIoHandler");
            assertRefused(local.next(), fd, "LocalIoHandler");
            assertRefused(plain, fd, "not an IoEventLoop");
            fd.close();
            assertThat(Fds.stillOpen(fd.fd(), id))
                    .as("no lease kept by a refused registration")
                    .isFalse();
        } finally {
            nio.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            local.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            plain.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            assertThat(nio.terminationFuture().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(local.terminationFuture().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(plain.terminationFuture().await(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void assertRefused(EventLoop loop, EventFd fd, String why) {
        assertThat(NettyWake.supports(loop)).isFalse();
        assertThatThrownBy(() -> NettyWake.register(loop, fd, n -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(loop.getClass().getName())
                .hasMessageContaining(why)
                .hasMessageContaining("EpollIoHandler.newFactory()")
                .hasMessageContaining("IoUringIoHandler.newFactory()");
    }

    @Test
    void aClosedSignalOrNullArgumentsAreRefused() throws Exception {
        try (LoopKind.Loops loops = LoopKind.EPOLL.open(1)) {
            EventLoop loop = loops.group().next();
            EventFd fd = EventFd.open();
            fd.close();
            assertThat(LifecycleTest.failure(NettyWake.register(loop, fd, n -> {})))
                    .isInstanceOf(ClosedChannelException.class)
                    .hasMessageContaining("fd=" + fd.fd());
            try (EventFd open = EventFd.open()) {
                assertThatThrownBy(() -> NettyWake.register(null, open, n -> {}))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("loop");
                assertThatThrownBy(() -> NettyWake.register(loop, null, n -> {}))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("signal");
                assertThatThrownBy(() -> NettyWake.register(loop, open, null))
                        .isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("handler");
            }
        }
    }
}
