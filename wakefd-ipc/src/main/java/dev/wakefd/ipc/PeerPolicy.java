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

/** This process's effective uid, asked once (geteuid(2): no fd, no failure, unlike reading /proc). */
final class Ids {
    private Ids() {}

    private static final long UID = dev.wakefd.ipc.internal.Credentials.effectiveUid();

    static long uid() {
        return UID;
    }
}
