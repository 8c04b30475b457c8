package dev.wakefd.shm;

import dev.wakefd.EventFd;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Internals;
import dev.wakefd.internal.ProcFs;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.ipc.PeerPolicy;
import dev.wakefd.ipc.internal.ScmRights;
import dev.wakefd.ipc.internal.UnixSockets;
import dev.wakefd.shm.internal.Layout;
import dev.wakefd.shm.internal.Region;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Sets up a shared-memory channel between two processes over a connected {@link FdSocket}: the
 * creator makes the region (a sealed memfd) and two eventfds (data available, space available)
 * and sends all three in one SCM_RIGHTS message; the peer checks everything it received before
 * it maps anything. The peer may be Java, Python ({@code wakefd_shm.py}) or C
 * ({@code wakefd_shm.h}); the layout is in docs/shm-layout.md.
 *
 * <pre>{@code
 * // process A: listens, creates, sends
 * try (FdListener l = FdListener.bind(path);
 *      ShmSender out = Shm.createSender(l.accept(), 1 << 20)) {
 *     out.send(new byte[] {1, 2, 3});
 * }
 * // process B: connects, receives the fds, validates, maps
 * try (ShmReceiver in = Shm.acceptReceiver(FdSocket.connect(path), Duration.ofSeconds(5))) {
 *     byte[] m = in.receive();
 * }
 * }</pre>
 *
 * <p>The channel takes ownership of the socket (whatever happens) and keeps it open: the peer
 * hanging up, or dying, shows on it at once. Both sides check the other with a
 * {@link PeerPolicy} (default: same user) by its SO_PEERCRED credentials.
 */
public final class Shm {
    private Shm() {}

    private static final int CREATOR_PRODUCES = Layout.CREATOR_PRODUCES, CREATOR_CONSUMES = Layout.CREATOR_CONSUMES;
    private static final long OFF_CREATOR_ROLE = Layout.OFF_CREATOR_ROLE;

    // The four ways to set up (create or accept, to send or to receive), each first with the
    // default policy (same user), then with a given one.
    /**
     * {@link #createSender(FdSocket, int, PeerPolicy)} admitting only peers of the same user.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param capacity the data area's size in bytes: a power of two, 4 KiB..1 GiB
     * @return this side's end, owning the socket
     * @throws IOException if the peer is not admitted, the capacity is invalid, or a system call fails
     */
    public static ShmSender createSender(FdSocket socket, int capacity) throws IOException {
        return createSender(socket, capacity, PeerPolicy.sameUser());
    }

    /**
     * {@link #createReceiver(FdSocket, int, PeerPolicy)} admitting only peers of the same user.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param capacity the data area's size in bytes: a power of two, 4 KiB..1 GiB
     * @return this side's end, owning the socket
     * @throws IOException if the peer is not admitted, the capacity is invalid, or a system call fails
     */
    public static ShmReceiver createReceiver(FdSocket socket, int capacity) throws IOException {
        return createReceiver(socket, capacity, PeerPolicy.sameUser());
    }

    /**
     * {@link #acceptSender(FdSocket, Duration, PeerPolicy)} admitting only peers of the same user.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param timeout how long to wait for the peer's set-up message (null: no limit)
     * @return this side's end, owning the socket
     * @throws IOException if the peer is not admitted, hung up, sent a corrupt channel, or a system call fails
     */
    public static ShmSender acceptSender(FdSocket socket, Duration timeout) throws IOException {
        return acceptSender(socket, timeout, PeerPolicy.sameUser());
    }

    /**
     * {@link #acceptReceiver(FdSocket, Duration, PeerPolicy)} admitting only peers of the same user.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param timeout how long to wait for the peer's set-up message (null: no limit)
     * @return this side's end, owning the socket
     * @throws IOException if the peer is not admitted, hung up, sent a corrupt channel, or a system call fails
     */
    public static ShmReceiver acceptReceiver(FdSocket socket, Duration timeout) throws IOException {
        return acceptReceiver(socket, timeout, PeerPolicy.sameUser());
    }

    /**
     * Creates a channel of {@code capacity} bytes and sends it to the peer, which must accept it; this side sends.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param capacity the data area's size in bytes: a power of two, 4 KiB..1 GiB
     * @param policy which peers (by SO_PEERCRED credentials) may take part
     * @return this side's end, owning the socket
     * @throws IOException if the peer is not admitted, the capacity is invalid, or a system call fails
     */
    public static ShmSender createSender(FdSocket socket, int capacity, PeerPolicy policy) throws IOException {
        return (ShmSender) create(socket, capacity, policy, true);
    }

    /**
     * Creates a channel of {@code capacity} bytes and sends it to the peer, which must accept it; this side receives.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param capacity the data area's size in bytes: a power of two, 4 KiB..1 GiB
     * @param policy which peers (by SO_PEERCRED credentials) may take part
     * @return this side's end, owning the socket
     * @throws IOException if the peer is not admitted, the capacity is invalid, or a system call fails
     */
    public static ShmReceiver createReceiver(FdSocket socket, int capacity, PeerPolicy policy) throws IOException {
        return (ShmReceiver) create(socket, capacity, policy, false);
    }

    /**
     * Waits for the peer's channel (it created a receiver), checks and maps it; this side sends.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param timeout how long to wait for the peer's set-up message (null: no limit)
     * @param policy which peers (by SO_PEERCRED credentials) may take part
     * @return this side's end, owning the socket
     * @throws java.net.SocketTimeoutException if no set-up message came within the timeout
     * @throws ShmCorruptedException if the set-up message or the region breaks the layout's rules
     * @throws IOException if the peer is not admitted, hung up, created the same role, or a system call fails
     */
    public static ShmSender acceptSender(FdSocket socket, Duration timeout, PeerPolicy policy) throws IOException {
        return (ShmSender) accept(socket, timeout, policy, true);
    }

    /**
     * Waits for the peer's channel (it created a sender), checks and maps it; this side receives.
     *
     * @param socket a connected socket to the peer; the channel owns it from now on (closed on failure too)
     * @param timeout how long to wait for the peer's set-up message (null: no limit)
     * @param policy which peers (by SO_PEERCRED credentials) may take part
     * @return this side's end, owning the socket
     * @throws java.net.SocketTimeoutException if no set-up message came within the timeout
     * @throws ShmCorruptedException if the set-up message or the region breaks the layout's rules
     * @throws IOException if the peer is not admitted, hung up, created the same role, or a system call fails
     */
    public static ShmReceiver acceptReceiver(FdSocket socket, Duration timeout, PeerPolicy policy) throws IOException {
        return (ShmReceiver) accept(socket, timeout, policy, false);
    }

    private static void admit(FdSocket socket, PeerPolicy policy) throws IOException {
        if (!policy.admits(socket.peer())) {
            throw new IOException("the peer on " + socket + " (pid "
                    + socket.peer().pid() + ", uid " + socket.peer().uid() + ", gid "
                    + socket.peer().gid() + ") is not admitted by the policy; nothing was sent or mapped");
        }
    }

    private static ShmEnd create(FdSocket socket, int capacity, PeerPolicy policy, boolean sender) throws IOException {
        Objects.requireNonNull(socket, "socket is null");
        Objects.requireNonNull(policy, "policy is null");
        Region region = null;
        EventFd data = null, space = null;
        try {
            admit(socket, policy);
            Layout.checkCapacity(capacity);
            region = Region.create(capacity);
            region.segment().set(ValueLayout.JAVA_INT, OFF_CREATOR_ROLE, sender ? CREATOR_PRODUCES : CREATOR_CONSUMES);
            data = EventFd.open();
            space = EventFd.open();
            Internals.access().shared(data); // the peer holds the same description from now on
            Internals.access().shared(space);
            ScmRights.sendFds(socket.fd(), new int[] {region.fd(), data.fd(), space.fd()}, (byte) 'S');
            return sender ? new ShmSender(region, space, data, socket) : new ShmReceiver(region, data, space, socket);
        } catch (IOException | RuntimeException e) {
            closeAll(socket, region, data, space);
            throw e;
        }
    }

    private static void closeAll(FdSocket socket, Region region, EventFd a, EventFd b) {
        socket.close();
        if (region != null) {
            region.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static ShmEnd accept(FdSocket socket, Duration timeout, PeerPolicy policy, boolean sender)
            throws IOException {
        Objects.requireNonNull(socket, "socket is null");
        Objects.requireNonNull(policy, "policy is null");
        int[] fds = new int[0];
        Region region = null;
        EventFd data = null, space = null;
        try {
            admit(socket, policy);
            long millis = timeout == null
                    ? -1
                    : Math.max(0, timeout.plusNanos(999_999).toMillis());
            if (millis >= 0 && !UnixSockets.awaitReadable(socket.fd(), millis)) {
                throw new SocketTimeoutException(
                        "no channel from the peer (pid " + socket.peer().pid() + ") within " + timeout);
            }
            ScmRights.Received r = ScmRights.receive(socket.fd(), 8);
            fds = r.fds();
            if (r.bytes() == 0 && fds.length == 0) {
                throw new EOFException(
                        "the peer (pid " + socket.peer().pid() + ") closed the socket before sending the channel");
            }
            if ((r.flags() & ScmRights.MSG_CTRUNC) != 0 || r.problem() != null || fds.length != 3) {
                throw new ShmCorruptedException("the set-up message must carry exactly 3 fds (memfd, data-available"
                        + " eventfd, space-available eventfd) in one SCM_RIGHTS message; got " + fds.length
                        + (r.problem() != null ? " (" + r.problem() + ")" : "")
                        + ((r.flags() & ScmRights.MSG_CTRUNC) != 0 ? " (truncated: more than 8)" : ""));
            }
            checkEventFd(fds[1], "data-available");
            checkEventFd(fds[2], "space-available");
            checkDistinct(fds[1], fds[2]);
            region = Region.open(fds[0]);
            fds[0] = -1; // the region owns it now
            int role = region.segment().get(ValueLayout.JAVA_INT, OFF_CREATOR_ROLE);
            int expected = sender ? CREATOR_CONSUMES : CREATOR_PRODUCES;
            if (role != CREATOR_PRODUCES && role != CREATOR_CONSUMES) {
                throw new ShmCorruptedException(
                        "creator role " + role + " in the header: must be 1 (it sends) or 2 (it receives)");
            }
            if (role != expected) {
                throw new IOException("both ends want to " + (sender ? "send" : "receive") + ": the peer (pid "
                        + socket.peer().pid() + ") created a " + (role == CREATOR_PRODUCES ? "sender" : "receiver"));
            }
            data = adopt(fds[1], "data-available");
            fds[1] = -1;
            space = adopt(fds[2], "space-available");
            fds[2] = -1;
            return sender ? new ShmSender(region, space, data, socket) : new ShmReceiver(region, data, space, socket);
        } catch (IOException | RuntimeException e) {
            for (int f : fds) {
                if (f >= 0) {
                    FdCalls.close(f);
                }
            }
            closeAll(socket, region, data, space);
            throw e;
        }
    }

    /** The fd must be a counter-mode eventfd (/proc/self/fd link and fdinfo say so). */
    private static void checkEventFd(int fd, String what) throws IOException {
        String target = ProcFs.fdTarget("self", fd);
        if (!ProcFs.EVENTFD_TARGET.equals(target)) {
            throw new ShmCorruptedException(
                    "the " + what + " fd is '" + target + "', not an eventfd (" + ProcFs.EVENTFD_TARGET + ")");
        }
        Map<String, String> info = ProcFs.fdInfo("self", fd);
        if (info == null || !info.containsKey("eventfd-count")) {
            throw new ShmCorruptedException(
                    "the " + what + " fd has no eventfd-count in /proc/self/fdinfo: not an eventfd");
        }
        if ("1".equals(info.get("eventfd-semaphore"))) {
            throw new ShmCorruptedException(
                    "the " + what + " eventfd is in semaphore mode: the channel needs counter mode");
        }
    }

    /** Where the kernel tells eventfd ids (6.x: eventfd-id), the two must differ. */
    private static void checkDistinct(int a, int b) throws IOException {
        String ia = ProcFs.fdInfo("self", a).get("eventfd-id"),
                ib = ProcFs.fdInfo("self", b).get("eventfd-id");
        if (ia != null && ia.equals(ib)) {
            throw new ShmCorruptedException(
                    "the data-available and space-available fds are the same eventfd (eventfd-id " + ia
                            + "): each direction needs its own");
        }
    }

    private static EventFd adopt(int fd, String what) throws IOException {
        try {
            return EventFd.adopt(fd, false);
        } catch (IllegalArgumentException e) {
            throw new ShmCorruptedException("the " + what + " fd was refused: " + e.getMessage());
        }
    }
}
