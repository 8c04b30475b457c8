package dev.wakefd.ipc;

import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.FdGuard;
import dev.wakefd.ipc.internal.UnixSockets;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A listening Unix domain socket that hands out {@link FdSocket}s to admitted peers. A socket
 * file is made mode 0600 (owner only) right after bind; every peer is also checked against a
 * {@link PeerPolicy} (default: same user) by its SO_PEERCRED credentials, so the instant between
 * bind and chmod admits no one else either. A refused peer is disconnected, gets nothing, and is
 * logged at WARNING.
 *
 * <pre>{@code
 * try (FdListener l = FdListener.bind(Path.of(dir, "wake.sock"));
 *      FdSocket peer = l.accept()) {
 *     peer.send(waker);
 * }
 * }</pre>
 */
public final class FdListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FdListener.class.getName());
    private final int fd;
    private final FdGuard guard;
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
    }

    /** Binds a socket file at {@code path} (mode 0600), admitting peers of the same user. */
    public static FdListener bind(Path path) throws IOException {
        return bind(path, PeerPolicy.sameUser());
    }

    public static FdListener bind(Path path, PeerPolicy policy) throws IOException {
        Objects.requireNonNull(path, "bind: path is null");
        return open(path.toString(), false, path, policy);
    }

    /** Binds {@code name} in the Linux abstract namespace (no file; visible to this network namespace). */
    public static FdListener bindAbstract(String name, PeerPolicy policy) throws IOException {
        Objects.requireNonNull(name, "bindAbstract: name is null");
        return open(name, true, null, policy);
    }

    private static FdListener open(String name, boolean abstractName, Path path, PeerPolicy policy) throws IOException {
        Objects.requireNonNull(policy, "bind: policy is null");
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

    /** Blocks until an admitted peer connects. Refused peers are closed and logged; it goes on waiting. */
    public FdSocket accept() throws IOException {
        while (true) {
            if (!guard.acquire()) {
                throw new ClosedChannelException();
            }
            int s;
            try {
                s = UnixSockets.accept(fd);
            } catch (IOException e) {
                if (guard.isClosing()) {
                    throw new java.nio.channels.AsynchronousCloseException();
                }
                throw e;
            } finally {
                guard.release();
            }
            FdSocket socket = new FdSocket(s);
            if (policy.admits(socket.peer())) {
                return socket;
            }
            LOG.log(System.Logger.Level.WARNING, "wakefd: refused a peer on " + name + ": pid " + socket.peer().pid()
                    + ", uid " + socket.peer().uid() + " is not admitted by the policy");
            socket.close();
        }
    }

    /** Stops listening (a blocked accept ends with AsynchronousCloseException) and removes the socket file. */
    @Override
    public void close() {
        if (guard.acquire()) {
            try {
                UnixSockets.shutdown(fd);
            } finally {
                guard.release();
            }
        }
        if (guard.markClosed() && path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "removing " + path, e);
            }
        }
    }

    @Override
    public String toString() {
        return "FdListener[" + (path != null ? path : "@" + name) + ", fd=" + fd + "]";
    }
}
