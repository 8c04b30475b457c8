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
    boolean admits(PeerCredentials peer);

    /** Peers whose uid is this process's uid. */
    static PeerPolicy sameUser() {
        long me = Ids.uid();
        return peer -> peer.uid() == me;
    }

    default PeerPolicy or(PeerPolicy other) {
        return peer -> admits(peer) || other.admits(peer);
    }
}

/** This process's effective uid, asked once (geteuid(2): no fd, no failure, unlike reading /proc). */
final class Ids {
    private Ids() {}

    private static final long UID = dev.wakefd.ipc.internal.UnixSockets.effectiveUid();

    static long uid() {
        return UID;
    }
}
