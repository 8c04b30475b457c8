module consumer {
    requires dev.wakefd.bridge;
    requires dev.wakefd.netty;
    requires io.netty.transport.classes.epoll;
}
