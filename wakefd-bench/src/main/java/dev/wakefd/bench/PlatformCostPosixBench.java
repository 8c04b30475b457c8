package dev.wakefd.bench;

import org.openjdk.jmh.annotations.Fork;

/** {@link PlatformCostBench} in POSIX-only mode: pipe signals (pipe + fcntl), poll(2) waits. */
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dwakefd.platform=posix"})
public class PlatformCostPosixBench extends PlatformCostBench {}
