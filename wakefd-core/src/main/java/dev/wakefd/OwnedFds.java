package dev.wakefd;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The fd numbers that live EventFds of this JVM own, so {@link EventFd#adopt(int)} can refuse one
 * (two owners would close the number twice, the second time maybe an fd it was reused for).
 *
 * <p>Invariant: an entry is removed only by the owner that put it there, after its close(2); a
 * number fresh from the kernel overwrites a stale entry. Argument: docs/design/fd-ownership.md.
 */
final class OwnedFds {
    private static final ConcurrentHashMap<Integer, Object> OWNERS = new ConcurrentHashMap<>();

    private OwnedFds() {}

    /** A number the kernel just returned (open, duplicate): free to everyone, so it is ours now. */
    static void own(int fd, Object owner) {
        OWNERS.put(fd, owner);
    }

    /** For adopt: takes {@code fd} unless a live EventFd owns it; returns whether it did. */
    static boolean claim(int fd, Object owner) {
        return OWNERS.putIfAbsent(fd, owner) == null;
    }

    /** After the owner's close(2), or when a claim came to nothing. */
    static void release(int fd, Object owner) {
        OWNERS.remove(fd, owner);
    }
}
