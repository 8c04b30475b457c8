/**
 * wakefd: cross-runtime wake signals for the JVM, backed by Linux eventfd.
 *
 * <p>Native access: run with {@code --enable-native-access=dev.wakefd} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path (or the {@code Enable-Native-Access}
 * manifest attribute of an executable jar).
 */
module dev.wakefd {
    exports dev.wakefd;
    // Lease and close hooks for wakefd's own integration modules only.
    exports dev.wakefd.internal to
            dev.wakefd.netty,
            dev.wakefd.ipc,
            dev.wakefd.bridge,
            dev.wakefd.shm,
            dev.wakefd.cli,
            dev.wakefd.bench;
}
