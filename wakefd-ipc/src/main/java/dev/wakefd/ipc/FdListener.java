package dev.wakefd.ipc;

import dev.wakefd.internal.Cleaners;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.FdGuard;
import dev.wakefd.ipc.internal.UnixSockets;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A listening Unix domain socket that hands out {@link FdSocket}s to admitted peers. A socket
 * file is made mode 0600 (owner only) right after bind; every peer is also checked against a
 * {@link PeerPolicy} (default: same user) by its SO_PEERCRED credentials, so the instant between
 * bind and chmod admits no one else either. A refused peer is disconnected before anything is
 * sent to it, and logged at WARNING on the {@code System.Logger} named after this class.
 *
 * <pre>{@code
 * try (FdListener l = FdListener.bind(Path.of(dir, "wake.sock"));
 *      FdSocket peer = l.accept(Duration.ofSeconds(30))) {
 *     peer.send(waker);
 * }
 * }</pre>
 */
public final class FdListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FdListener.class.getName());
    private static final Cleaner CLEANER = Cleaners.CLEANER;

    private final int fd;
    private final FdGuard guard;
    private final Cleaner.Cleanable cleanable;
    private final PeerPolicy policy;
    private final Path path; // null in the abstract namespace
    private final String name;

    private FdListener(int fd, PeerPolicy policy, Path path, String name) {
        this.fd = fd;
        this.policy = policy;
        this.path = path;
        this.name = name;
        this.guard = new FdGuard(() -> {
            try {
                FdCalls.close(fd);
            } catch (IOException ignored) {
                // released either way
            }
        });
        FdGuard g = guard;
        this.cleanable = CLEANER.register(this, g::markClosed);
    }

    /**
     * Binds a socket file at {@code path} (mode 0600), admitting peers of the same user.
     *
     * @param path the socket file path
     * @return the bound listener
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static FdListener bind(Path path) throws IOException {
        return bind(path, PeerPolicy.sameUser());
    }

    /**
     * Binds a socket file at {@code path} (mode 0600), admitting the peers {@code policy} admits.
     * The file must not exist (bind fails with EADDRINUSE); {@link #close()} removes it.
     *
     * @param path the socket file path
     * @param policy which peers to admit
     * @return the bound listener
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static FdListener bind(Path path, PeerPolicy policy) throws IOException {
        Objects.requireNonNull(path, "bind: path is null");
        return open(path.toString(), false, path, policy);
    }

    /**
     * Binds {@code name} in the Linux abstract namespace (no file; visible to this network namespace).
     *
     * @param name the abstract socket name (without the leading NUL)
     * @param policy which peers to admit
     * @return the bound listener
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static FdListener bindAbstract(String name, PeerPolicy policy) throws IOException {
        Objects.requireNonNull(name, "bindAbstract: name is null");
        return open(name, true, null, policy);
    }

    private static FdListener open(String name, boolean abstractName, Path path, PeerPolicy policy) throws IOException {
        Objects.requireNonNull(policy, "bind: policy is null");
        // Before UnixSockets is touched: its handles include Linux-only accept4.
        dev.wakefd.internal.Platform.requireLinux("FdListener.bind: "
                + "fd passing (SO_PEERCRED, accept4, and an eventfd count the peer shares through the kernel)");
        int fd = UnixSockets.socket();
        try {
            UnixSockets.bind(fd, name, abstractName);
            if (!abstractName) {
                UnixSockets.chmod(name, 0600);
            }
            UnixSockets.listen(fd, 16);
            return new FdListener(fd, policy, path, name);
        } catch (IOException | RuntimeException e) {
            FdCalls.close(fd);
            throw e;
        }
    }

    /**
     * As {@link #accept(Duration)} without a time limit.
     *
     * @return the connected, admitted peer
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public FdSocket accept() throws IOException {
        return accept(null);
    }

    /**
     * Waits until an admitted peer connects. Refused peers are disconnected and logged, and the
     * wait goes on within the same time limit.
     *
     * @param timeout how long to wait, or null for no limit
     * @return the connected, admitted peer
     * @throws SocketTimeoutException if no admitted peer came in time
     * @throws AsynchronousCloseException if the listener was closed while waiting
     */
    public FdSocket accept(Duration timeout) throws IOException {
        long millis = FdSocket.millis(timeout);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
        while (true) {
            if (!guard.acquire()) {
                throw new ClosedChannelException();
            }
            int s;
            try {
                if (millis >= 0) {
                    long left = Math.max(
                            0, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                    if (!UnixSockets.awaitReadable(fd, left)) {
                        throw new SocketTimeoutException("accept: no admitted peer on " + this + " within " + timeout);
                    }
                }
                s = UnixSockets.accept(fd);
            } catch (IOException e) {
                if (guard.isClosing() && !(e instanceof SocketTimeoutException)) {
                    throw FdSocket.closedWhileWaiting(e);
                }
                throw e;
            } finally {
                guard.release();
            }
            FdSocket socket;
            try {
                socket = new FdSocket(s);
            } catch (IOException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "wakefd: dropped a peer on " + where() + " whose credentials could not be read",
                        e);
                continue;
            }
            if (policy.admits(socket.peer())) {
                return socket;
            }
            LOG.log(
                    System.Logger.Level.WARNING,
                    "wakefd: refused a peer on " + where() + ": pid "
                            + socket.peer().pid() + ", uid " + socket.peer().uid() + ", gid "
                            + socket.peer().gid() + " is not admitted by the policy");
            socket.close();
        }
    }

    /**
     * Stops listening (a blocked accept ends with AsynchronousCloseException) and removes the
     * socket file. Idempotent.
     */
    @Override
    public void close() {
        boolean leased = guard.acquire(); // false: closed already
        cleanable.clean();
        if (leased) {
            try {
                UnixSockets.shutdown(fd); // wakes a blocked accept4 (EINVAL), which then sees "closing"
            } finally {
                guard.release();
            }
        }
        if (leased && path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "wakefd: could not remove the socket file " + path, e);
            }
        }
    }

    private String where() {
        return path != null ? path.toString() : "@" + name;
    }

    @Override
    public String toString() {
        return "FdListener[" + where() + ", fd=" + fd + "]";
    }
}
