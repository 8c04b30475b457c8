package dev.wakefd.bench;

import org.openjdk.jmh.annotations.Fork;

/** {@link PlatformCostBench} on Linux's own calls: eventfd signals, epoll waits. */
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PlatformCostLinuxBench extends PlatformCostBench {}
