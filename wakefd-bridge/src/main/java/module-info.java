/**
 * wakefd-bridge: a bounded single-producer single-consumer channel whose two sides sleep in their
 * own runtimes and wake each other through wakefd signals. See {@link dev.wakefd.bridge.Bridge}.
 */
module dev.wakefd.bridge {
    requires transitive dev.wakefd;

    exports dev.wakefd.bridge;
}
