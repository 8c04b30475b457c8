package dev.wakefd.netty;

import dev.wakefd.Waker;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link OptionalTransportTest} in a JVM whose class path lacks the io_uring jars: an epoll
 * user's whole life with wakefd-netty. Prints one line per step; exits non-zero on any failure.
 */
public final class EpollOnlyMain {
    private EpollOnlyMain() {}

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("io.netty.channel.uring.IoUringIoHandle");
            System.out.println("io_uring classes present");
        } catch (ClassNotFoundException expected) {
            System.out.println("io_uring classes absent");
        }
        MultiThreadIoEventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        MultiThreadIoEventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (Waker waker = Waker.open()) {
            System.out.println("nio supported: " + NettyWake.supports(nio.next()));
            CountDownLatch woken = new CountDownLatch(1);
            NettyWake.Registration reg = NettyWake.register(epoll.next(), waker, n -> woken.countDown())
                    .sync()
                    .getNow();
            waker.wake();
            System.out.println("delivered: " + woken.await(30, TimeUnit.SECONDS) + " via " + reg.transport());
            reg.cancel();
        } finally {
            nio.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            epoll.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
