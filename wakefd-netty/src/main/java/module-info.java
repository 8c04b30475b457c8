/**
 * wakefd-netty: wakes Netty 4.2 event loops (epoll and io_uring) with wakefd signals, on the
 * loop's own thread, with no thread of wakefd's own. See {@link dev.wakefd.netty.NettyWake}.
 *
 * <p>Both transports are optional: the application requires the one its loops use (and puts its
 * native library for the platform on the path); wakefd-netty touches only that one.
 */
module dev.wakefd.netty {
    requires transitive dev.wakefd;
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires static io.netty.transport.unix.common;
    requires static io.netty.transport.classes.epoll;
    requires static io.netty.transport.classes.io_uring;

    exports dev.wakefd.netty;
}
