package dev.wakefd.netty.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The two loop kinds under test. io_uring skips, with the kernel's reason, where it is refused. */
public enum LoopKind {
    EPOLL {
        @Override
        public IoHandlerFactory factory() {
            Epoll.ensureAvailability(); // Linux x86-64 with the native jar: a failure here is a real one
            return EpollIoHandler.newFactory();
        }
    },
    IO_URING {
        @Override
        public IoHandlerFactory factory() {
            Assumptions.assumeTrue(
                    IoUring.isAvailable(),
                    () -> "io_uring refused here, so the io_uring test is skipped: " + IoUring.unavailabilityCause());
            return IoUringIoHandler.newFactory();
        }
    };

    public abstract IoHandlerFactory factory();

    /** A group of {@code threads} loops, shut down (bounded) on close. */
    public Loops open(int threads) {
        return new Loops(new MultiThreadIoEventLoopGroup(threads, factory()));
    }

    public record Loops(MultiThreadIoEventLoopGroup group) implements AutoCloseable {
        @Override
        public void close() {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            if (!group.terminationFuture().awaitUninterruptibly(30, TimeUnit.SECONDS)) {
                fail("event loop group did not terminate within 30 s");
            }
        }
    }
}
