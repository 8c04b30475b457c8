package dev.wakefd.ipc;

/** Who is at the other end of a Unix socket, as the kernel recorded it at connect (SO_PEERCRED). */
public record PeerCredentials(long pid, long uid, long gid) {}
