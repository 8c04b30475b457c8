package dev.wakefd.ipc;

import dev.wakefd.EventFd;
import dev.wakefd.WakeSignal;
import dev.wakefd.internal.Backends;
import dev.wakefd.internal.Cleaners;
import dev.wakefd.internal.Errno;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.FdGuard;
import dev.wakefd.internal.Internals;
import dev.wakefd.internal.NativeIOException;
import dev.wakefd.internal.ProcFs;
import dev.wakefd.ipc.internal.ScmRights;
import dev.wakefd.ipc.internal.UnixSockets;
import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A connected Unix domain stream socket that carries wake signals between processes: each
 * {@link #send} passes one fd (SCM_RIGHTS) with one byte; {@link #receive} takes one message and
 * returns its fd as an {@link EventFd}, validated exactly as {@link EventFd#adopt(int)} does. Any
 * peer that speaks SCM_RIGHTS works: Python's {@code socket.send_fds}/{@code recv_fds}, C
 * {@code sendmsg}. The payload that travels with an fd is ignored (up to 256 bytes per message).
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
 * does); {@link #receive(Duration)} bounds the wait, and {@link #close()} from another thread
 * wakes a blocked {@code receive} with {@link AsynchronousCloseException}.
 */
public final class FdSocket implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaners.CLEANER;
    /** Room for this many fds per message: one is expected, more are taken only to be closed. */
    private static final int MAX_FDS = 4;

    private final int fd;
    private final FdGuard guard;
    private final Cleaner.Cleanable cleanable;
    private final PeerCredentials peer;

    /** Takes ownership of a connected socket {@code fd}: closed here if the peer cannot be identified. */
    FdSocket(int fd) throws IOException {
        this.fd = fd;
        this.guard = new FdGuard(() -> {
            try {
                FdCalls.close(fd);
            } catch (IOException ignored) {
                // nothing to do: the number is released either way
            }
        });
        FdGuard g = guard;
        this.cleanable = CLEANER.register(this, g::markClosed); // a forgotten socket is closed too
        int[] c;
        try {
            c = UnixSockets.peerCredentials(fd);
        } catch (IOException e) {
            cleanable.clean();
            throw e;
        }
        this.peer = new PeerCredentials(c[0], Integer.toUnsignedLong(c[1]), Integer.toUnsignedLong(c[2]));
    }

    /**
     * Connects to a listener bound at {@code path}.
     *
     * @param path the socket file path
     * @return the connected socket
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static FdSocket connect(Path path) throws IOException {
        Objects.requireNonNull(path, "connect: path is null");
        return connect(path.toString(), false);
    }

    /**
     * Connects to a listener bound in the Linux abstract namespace under {@code name}.
     *
     * @param name the abstract socket name (without the leading NUL)
     * @return the connected socket
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static FdSocket connectAbstract(String name) throws IOException {
        Objects.requireNonNull(name, "connectAbstract: name is null");
        return connect(name, true);
    }

    private static FdSocket connect(String name, boolean abstractName) throws IOException {
        // Before UnixSockets is touched: its handles include Linux-only accept4.
        dev.wakefd.internal.Platform.requireLinux("FdSocket.connect: "
                + "fd passing (SO_PEERCRED, accept4, and an eventfd count the peer shares through the kernel)");
        int fd = UnixSockets.socket();
        try {
            UnixSockets.connect(fd, name, abstractName);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(fd);
            throw e;
        }
        return new FdSocket(fd);
    }

    /**
     * Sends the signal's fd to the peer (the peer gets a new fd for the same eventfd: one
     * counter, shared). The signal stays ours and open; it is leased for the call, so a
     * concurrent close cannot hand its fd number to another file mid-send.
     *
     * @param signal the signal
     * @throws ClosedChannelException if this socket or the signal is closed
     * @throws UnsupportedOperationException if the signal uses the pipe backend, whose count
     *     lives in this JVM where no peer can reach it
     */
    public void send(WakeSignal signal) throws IOException {
        Objects.requireNonNull(signal, "send: signal is null");
        Internals.Access access = Internals.access();
        if (!access.acquire(signal)) {
            throw new ClosedChannelException();
        }
        try {
            String target = ProcFs.fdTarget("self", signal.fd());
            if (target != null && target.startsWith("pipe:")) {
                throw new UnsupportedOperationException("send: " + signal + " uses the pipe backend ("
                        + Backends.describe() + "): its count lives in this JVM, so a peer given the fd could"
                        + " neither see nor add to it; pass signals to other processes with the eventfd backend");
            }
            access.shared(signal); // the peer may clear O_NONBLOCK: no more critical calls on it
            lease();
            try {
                ScmRights.sendFd(fd, signal.fd(), (byte) 'W');
            } finally {
                guard.release();
            }
        } finally {
            access.release(signal);
        }
    }

    /**
     * As {@link #receive(Duration)} without a time limit.
     *
     * @return the received eventfd, owned by the caller
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public EventFd receive() throws IOException {
        return receive(null);
    }

    /**
     * Waits for the peer's next message and returns its fd as an EventFd that we own. A message
     * that is not exactly one eventfd is refused with an IOException, and every fd it carried is
     * closed first: no fd, several fds, a truncated (MSG_CTRUNC) or malformed control message, an
     * fd that is not an eventfd.
     *
     * @param timeout how long to wait for a message, or null for no limit
     * @return the received eventfd, owned by the caller
     * @throws EOFException if the peer closed the connection
     * @throws SocketTimeoutException if no message came within {@code timeout}
     * @throws AsynchronousCloseException if this socket was closed while waiting
     * @throws UnsupportedOperationException with the pipe backend, which cannot adopt an eventfd
     */
    public EventFd receive(Duration timeout) throws IOException {
        long millis = millis(timeout);
        lease();
        ScmRights.Received r;
        try {
            if (millis >= 0 && !UnixSockets.awaitReadable(fd, millis)) {
                throw new SocketTimeoutException(
                        "receive: no message from the peer (pid " + peer.pid() + ") within " + timeout);
            }
            r = ScmRights.receive(fd, MAX_FDS);
        } catch (NativeIOException e) {
            if (guard.isClosing()) {
                throw closedWhileWaiting(e);
            }
            if (e.errno() == Errno.ECONNRESET) {
                throw new IOException(
                        "receive: the peer (pid " + peer.pid()
                                + ") reset the connection, closing it with data of ours unread: " + e.getMessage(),
                        e);
            }
            throw e;
        } finally {
            guard.release();
        }
        return adopt(r);
    }

    /** Turns one received message into an EventFd, or closes every fd it carried and says why. */
    private EventFd adopt(ScmRights.Received r) throws IOException {
        int[] fds = r.fds();
        try {
            if (r.bytes() == 0 && fds.length == 0) {
                if (guard.isClosing()) {
                    throw new AsynchronousCloseException();
                }
                throw new EOFException("receive: the peer (pid " + peer.pid() + ") closed the connection");
            }
            if ((r.flags() & ScmRights.MSG_CTRUNC) != 0) {
                throw new IOException(
                        "receive: the control message was truncated (MSG_CTRUNC): the peer sent more than " + MAX_FDS
                                + " fds in one message; the " + fds.length + " that arrived are closed");
            }
            if (r.problem() != null) {
                throw new IOException(
                        "receive: " + r.problem() + "; the " + fds.length + " fds that arrived are closed");
            }
            if (fds.length != 1) {
                throw new IOException("receive: expected exactly 1 fd in a message, got " + fds.length + " (with "
                        + r.bytes() + " payload bytes)" + (fds.length > 1 ? "; all are closed" : ""));
            }
            return EventFd.adopt(fds[0]);
        } catch (IOException | RuntimeException e) {
            for (int f : fds) {
                FdCalls.close(f);
            }
            if (e instanceof IllegalArgumentException iae) {
                throw new IOException(
                        "receive: the peer sent an fd that is not an eventfd, closed: " + iae.getMessage(), iae);
            }
            throw e;
        }
    }

    /** {@return the peer process, as the kernel saw it when it connected} */
    public PeerCredentials peer() {
        return peer;
    }

    /** {@return the socket's fd number, owned by this FdSocket} */
    public int fd() {
        return fd;
    }

    /** {@return true until this socket is closed} */
    public boolean isOpen() {
        return !guard.isClosing();
    }

    private void lease() throws ClosedChannelException {
        if (!guard.acquire()) {
            throw new ClosedChannelException();
        }
    }

    static AsynchronousCloseException closedWhileWaiting(Throwable cause) {
        AsynchronousCloseException e = new AsynchronousCloseException();
        e.initCause(cause);
        return e;
    }

    /** -1 for null (no limit), else whole milliseconds, rounded up. */
    static long millis(Duration timeout) {
        if (timeout == null) {
            return -1;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout " + timeout + ": must not be negative");
        }
        try {
            return timeout.plusNanos(999_999).toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Closes the socket; a thread blocked in {@link #receive} is woken with
     * {@link AsynchronousCloseException}: the closing mark is set first, then shutdown(2) wakes it,
     * under our own lease so the number is still ours when we poke it. Idempotent.
     */
    @Override
    public void close() {
        boolean leased = guard.acquire(); // false: closed already
        cleanable.clean(); // closing from now on; the fd goes with the last lease, ours at the latest
        if (leased) {
            try {
                UnixSockets.shutdown(fd); // a woken receive sees "closing" and says so
            } finally {
                guard.release();
            }
        }
    }

    @Override
    public String toString() {
        return "FdSocket[fd=" + fd + ", peer pid=" + peer.pid() + " uid=" + peer.uid() + (isOpen() ? "" : ", closed")
                + "]";
    }
}
