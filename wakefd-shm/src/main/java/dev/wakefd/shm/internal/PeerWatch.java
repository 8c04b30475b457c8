package dev.wakefd.shm.internal;

import dev.wakefd.Poller;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches set-up sockets for a peer that hangs up (exits, dies, closes): one Poller for all
 * channels, opened with the first watch and closed with the last, so no thread outlives them;
 * its thread is a daemon, so a channel a program forgot to close never keeps the JVM from exiting.
 * A watch fires at most once and then stops; {@link #cancel} must be called before the socket
 * is closed (after it returns, no call of the handler runs or will start).
 */
public final class PeerWatch {
    private PeerWatch() {}

    private static Poller poller;
    private static int users;

    /** A watch on a socket fd; {@code onHangUp} runs on the poller thread when the fd turns readable. */
    public static synchronized Poller.Registration watch(int socketFd, Runnable onHangUp) throws IOException {
        if (poller == null) {
            poller =
                    Poller.open("wakefd-shm-peer-watch", true); // daemon: a forgotten channel never keeps the JVM alive
        }
        users++;
        try {
            AtomicReference<Poller.Registration> self = new AtomicReference<>();
            AtomicBoolean fired = new AtomicBoolean();
            Poller.Registration r = poller.registerFd(socketFd, () -> {
                if (fired.compareAndSet(false, true)) {
                    onHangUp.run();
                }
                Poller.Registration me = self.get();
                if (me != null) {
                    me.cancel(); // level-triggered: stop at once (a hung-up socket stays readable)
                }
            });
            self.set(r);
            if (fired.get()) {
                r.cancel();
            }
            return r;
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
    }

    /** Ends a watch made by {@link #watch}; once per watch. */
    public static void cancel(Poller.Registration r) {
        r.cancel();
        release();
    }

    private static synchronized void release() {
        if (--users == 0 && poller != null) {
            Poller p = poller;
            poller = null;
            p.close();
        }
    }
}
