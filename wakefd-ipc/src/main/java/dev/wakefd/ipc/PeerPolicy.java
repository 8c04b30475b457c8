package dev.wakefd.ipc;

/**
 * Decides whether an accepted peer may talk to us. The default, {@link #sameUser()}, admits only
 * processes of this process's user.
 *
 * <pre>{@code
 * FdListener.bind(path, PeerPolicy.sameUser().or(c -> c.uid() == 0));
 * }</pre>
 */
@FunctionalInterface
public interface PeerPolicy {
    /**
     * Decides whether one connected peer is admitted.
     *
     * @param peer the peer's credentials, as the kernel saw them when it connected
     * @return true to admit the peer, false to refuse it (it gets nothing and is logged)
     */
    boolean admits(PeerCredentials peer);

    /**
     * Peers whose uid is this process's uid.
     *
     * @return a policy that admits peers of this process's user
     */
    static PeerPolicy sameUser() {
        long me = Ids.uid();
        return peer -> peer.uid() == me;
    }

    /**
     * {@return a policy that admits the peers this one or {@code other} admits}
     *
     * @param other the second policy, asked when this one refuses
     */
    default PeerPolicy or(PeerPolicy other) {
        return peer -> admits(peer) || other.admits(peer);
    }
}

/** This process's uid, read once from /proc/self/status. */
final class Ids {
    private Ids() {}

    static long uid() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]); // effective uid
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading /proc/self/status for this process's uid", e);
        }
        throw new IllegalStateException("/proc/self/status has no Uid line");
    }
}
