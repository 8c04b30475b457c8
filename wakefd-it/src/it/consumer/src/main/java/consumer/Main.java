package consumer;

import dev.wakefd.Waker;
import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;
import dev.wakefd.netty.NettyWake;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A virtual thread feeds a bridge; the consumer wakes a Netty epoll loop through wakefd-netty. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        Bridge<String> bridge = Bridge.open(16);
        Thread.ofVirtual().start(() -> {
            try (Sender<String> out = bridge.sender()) {
                for (String s : List.of("a", "b", "c")) {
                    out.send(s);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<String> got = new ArrayList<>();
        try (Receiver<String> in = bridge.receiver()) {
            for (String s; (s = in.receive()) != null; ) {
                got.add(s);
            }
        }
        System.out.println("bridge: " + String.join(" ", got));

        var group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (Waker waker = Waker.open()) {
            CountDownLatch woken = new CountDownLatch(1);
            NettyWake.Registration reg = NettyWake.register(group.next(), waker, n -> woken.countDown()).sync().getNow();
            waker.wake();
            if (!woken.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the Netty loop was not woken within 30 s");
            }
            System.out.println("netty: woken on " + reg.transport());
            reg.cancel();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
        boolean uring = ModuleLayer.boot().findModule("io.netty.transport.classes.io_uring").isPresent();
        System.out.println("io_uring module: " + (uring ? "present" : "absent"));
    }
}
