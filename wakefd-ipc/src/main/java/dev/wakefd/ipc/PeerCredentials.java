package dev.wakefd.ipc;

/**
 * Who is at the other end of a Unix socket, as the kernel recorded it at connect (SO_PEERCRED).
 *
 * @param pid the peer's process id
 * @param uid the peer's user id
 * @param gid the peer's group id
 */
public record PeerCredentials(long pid, long uid, long gid) {}
