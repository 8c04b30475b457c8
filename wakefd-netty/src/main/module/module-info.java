/**
 * wakefd-netty: wakes Netty 4.2 event loops (epoll and io_uring) with wakefd signals, on the
 * loop's own thread, with no thread of wakefd's own. See {@code dev.wakefd.netty.NettySignals}.
 */
module dev.wakefd.netty {
    requires dev.wakefd;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.unix.common;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;

    exports dev.wakefd.netty;
}
