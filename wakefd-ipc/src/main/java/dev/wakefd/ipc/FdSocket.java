package dev.wakefd.ipc;

import dev.wakefd.EventFd;
import dev.wakefd.WakeSignal;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.FdGuard;
import dev.wakefd.internal.Internals;
import dev.wakefd.ipc.internal.UnixSockets;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * A connected Unix domain stream socket that carries wake signals between processes: each
 * {@link #send} passes one fd (SCM_RIGHTS) with one byte; {@link #receive} takes one and returns
 * it as an {@link EventFd}, validated exactly as {@link EventFd#adopt(int)} does. Any peer that
 * speaks SCM_RIGHTS works: Python's {@code socket.send_fds}/{@code recv_fds}, C {@code sendmsg}.
 *
 * <pre>{@code
 * try (FdSocket s = FdSocket.connect(Path.of("/run/user/1000/app.sock"));
 *      EventFd wake = EventFd.open()) {
 *     s.send(wake);            // the peer now holds the same eventfd
 *     wake.await();            // and can wake us from its own loop
 * }
 * }</pre>
 *
 * <p>Calls block the calling thread in the kernel (a virtual thread pins its carrier while it
 * does); {@link #close()} from another thread wakes a blocked {@code receive} with an exception.
 */
public final class FdSocket implements AutoCloseable {
    private final int fd;
    private final FdGuard guard;
    private final PeerCredentials peer;

    FdSocket(int fd) throws IOException {
        this.fd = fd;
        this.guard = new FdGuard(() -> {
            try {
                FdCalls.close(fd);
            } catch (IOException ignored) {
                // nothing to do: the number is released either way
            }
        });
        int[] c;
        try {
            c = UnixSockets.peerCredentials(fd);
        } catch (IOException e) {
            guard.markClosed();
            throw e;
        }
        this.peer = new PeerCredentials(c[0], Integer.toUnsignedLong(c[1]), Integer.toUnsignedLong(c[2]));
    }

    /** Connects to a listener bound at {@code path}. */
    public static FdSocket connect(Path path) throws IOException {
        return connect(path.toString(), false);
    }

    /** Connects to a listener bound in the Linux abstract namespace under {@code name}. */
    public static FdSocket connectAbstract(String name) throws IOException {
        return connect(name, true);
    }

    private static FdSocket connect(String name, boolean abstractName) throws IOException {
        int fd = UnixSockets.socket();
        try {
            UnixSockets.connect(fd, name, abstractName);
            return new FdSocket(fd);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(fd);
            throw e;
        }
    }

    /**
     * Sends the signal's fd to the peer (the peer gets a new fd for the same eventfd: one
     * counter, shared). The signal stays ours and open.
     *
     * @throws ClosedChannelException if this socket or the signal is closed
     */
    public void send(WakeSignal signal) throws IOException {
        Internals.Access access = Internals.access();
        if (!access.acquire(signal)) {
            throw new ClosedChannelException();
        }
        try {
            lease();
            try {
                UnixSockets.sendFd(fd, signal.fd(), (byte) 'W');
            } finally {
                guard.release();
            }
        } finally {
            access.release(signal);
        }
    }

    /**
     * Blocks until the peer sends one fd, and returns it as an EventFd that we own. A message with
     * no fd, several fds, a truncated control message, or an fd that is not an eventfd is refused
     * with an IOException, and every fd it carried is closed.
     *
     * @throws java.io.EOFException if the peer closed the connection
     */
    public EventFd receive() throws IOException {
        lease();
        UnixSockets.Received r;
        try {
            r = UnixSockets.receive(fd, 4);
        } finally {
            guard.release();
        }
        try {
            if (r.bytes() == 0 && r.fds().length == 0) {
                throw new java.io.EOFException("receive: the peer (pid " + peer.pid() + ") closed the connection");
            }
            if ((r.flags() & UnixSockets.MSG_CTRUNC) != 0) {
                throw new IOException("receive: the control message was truncated (MSG_CTRUNC): the peer sent more fds than one message may carry");
            }
            if (r.fds().length != 1) {
                throw new IOException("receive: expected exactly 1 fd in the message, got " + r.fds().length);
            }
            return EventFd.adopt(r.fds()[0]);
        } catch (IOException | RuntimeException e) {
            for (int f : r.fds()) {
                FdCalls.close(f);
            }
            if (e instanceof IllegalArgumentException iae) {
                throw new IOException("receive: the peer sent an fd that is not an eventfd: " + iae.getMessage(), iae);
            }
            throw e;
        }
    }

    /** The peer process, as the kernel saw it when it connected. */
    public PeerCredentials peer() {
        return peer;
    }

    public int fd() {
        return fd;
    }

    private void lease() throws ClosedChannelException {
        if (!guard.acquire()) {
            throw new ClosedChannelException();
        }
    }

    /** Closes the socket; a thread blocked in {@link #receive} is woken with an exception. Idempotent. */
    @Override
    public void close() {
        if (guard.acquire()) { // shutdown under a lease: the number is still ours
            try {
                UnixSockets.shutdown(fd);
            } finally {
                guard.release();
            }
        }
        guard.markClosed();
    }

    @Override
    public String toString() {
        return "FdSocket[fd=" + fd + ", peer pid=" + peer.pid() + " uid=" + peer.uid() + "]";
    }
}
