/**
 * wakefd-bridge: a bounded single-producer single-consumer channel between runtimes (platform
 * threads, virtual threads, a {@link dev.wakefd.Poller}, an event loop), woken through two
 * coalescing {@link dev.wakefd.Waker}s. See {@link dev.wakefd.bridge.Bridge}.
 */
module dev.wakefd.bridge {
    requires transitive dev.wakefd;
    exports dev.wakefd.bridge;
}
