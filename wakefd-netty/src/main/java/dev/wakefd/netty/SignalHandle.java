package dev.wakefd.netty;

import dev.wakefd.WakeSignal;
import dev.wakefd.internal.Internals;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * The life of one signal registered with one Netty loop, shared by the epoll and io_uring handles:
 * lease, close listener, cancel, delivery. Subclasses only arm and disarm the fd in their loop.
 *
 * <p>Invariant: the registration holds a lease on the signal's fd from {@link #start()}, before
 * Netty sees the fd, until {@link #finish()}, the only place that returns it, which runs only once
 * Netty has let go (after {@link #unregistered()}, on refusal, or after the loop terminated).
 * {@link #close()} is idempotent (Netty may call it many times while shutting down).
 * Argument: docs/design/netty-handles.md.
 */
abstract sealed class SignalHandle implements IoHandle permits EpollSignalHandle, UringSignalHandle {
    private static final System.Logger LOG = System.getLogger(SignalHandle.class.getName());
    private static final Internals.Access ACCESS = Internals.access();

    /**
     * Live registrations by (loop, fd): see {@link NettyWake} on one per fd per loop. An entry goes
     * when Netty's own fd-keyed entry goes ({@link #unregistered()}), always before the lease is
     * returned, so it never names a number that another file may have taken.
     */
    private static final ConcurrentHashMap<LoopFd, SignalHandle> LIVE = new ConcurrentHashMap<>();

    private record LoopFd(EventLoop loop, int fd) {}

    final IoEventLoop loop;
    final WakeSignal signal;
    final int fd;
    private final LongConsumer handler;
    private final LoopFd key;
    final LiveRegistration registration = new LiveRegistration(this);
    final CompletableFuture<Void> armed = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    /** One object per registration, so that removeOnClose removes exactly this one. */
    private final Runnable onSignalClose = this::requestCancel;

    private final GenericFutureListener<Future<Object>> onLoopTerminated = f -> finish();

    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Throwable failure;

    // Loop thread only.
    /** Netty's registration once register() completed; the wrapper, so cancel keeps Netty's count right. */
    IoRegistration nettyRegistration;

    private boolean withdrawn;

    SignalHandle(IoEventLoop loop, WakeSignal signal, LongConsumer handler) {
        this.loop = loop;
        this.signal = signal;
        this.fd = signal.fd();
        this.handler = handler;
        this.key = new LoopFd(loop, fd);
    }

    /** "epoll" or "io_uring". */
    abstract String transport();

    /** Loop thread: asks the loop to watch the fd for readability. */
    abstract void arm(IoRegistration r);

    /** Loop thread, once: stops watching and cancels {@code r}; Netty then calls unregistered(). */
    abstract void disarm(IoRegistration r);

    /**
     * Takes the lease, claims (loop, fd) and asks the loop to register. Throws only for a second
     * registration of the fd on this loop (a programming error); a closed signal or a loop that is
     * shutting down completes {@link #armed} and {@link #done} exceptionally instead.
     */
    void start() {
        if (!ACCESS.acquire(signal)) {
            refuse(new SignalClosed(signal));
            return;
        }
        if (loop.isShuttingDown()) {
            ACCESS.release(signal);
            refuse(shuttingDown(null));
            return;
        }
        SignalHandle other = LIVE.putIfAbsent(key, this);
        if (other != null) {
            ACCESS.release(signal);
            throw new IllegalStateException("register: fd " + fd + " (" + signal + ") is already registered with "
                    + loop + " by " + other.registration + "; Netty keys registrations by fd number, so register"
                    + " a duplicate() of the signal instead, or register again once the first is unregistered");
        }
        loop.terminationFuture().addListener(onLoopTerminated);
        ACCESS.onClose(signal, onSignalClose); // cancels at once if the signal closed meanwhile
        Future<IoRegistration> f;
        try {
            f = loop.register(this);
        } catch (RejectedExecutionException e) {
            fail(shuttingDown(e));
            finish(); // (b): Netty never saw the handle
            return;
        }
        f.addListener(this::registerDone);
    }

    private IllegalStateException shuttingDown(Throwable cause) {
        return new IllegalStateException("register: " + loop + " is shutting down, cannot watch " + signal, cause);
    }

    /** Refused before any lease or key was kept. */
    private void refuse(Throwable t) {
        finished.set(true);
        cancelRequested.set(true);
        armed.completeExceptionally(t);
        done.completeExceptionally(t);
    }

    /** Netty completes the register future on the loop thread, and notifies from it. */
    private void registerDone(Future<? super IoRegistration> f) {
        if (!loop.inEventLoop()) {
            onLoop(() -> registerDone(f));
            return;
        }
        if (!f.isSuccess()) {
            fail(f.cause());
            finish(); // (b): Netty never held the fd
            return;
        }
        nettyRegistration = (IoRegistration) f.getNow();
        if (cancelRequested.get()) {
            withdrawOnLoop();
            return;
        }
        try {
            arm(nettyRegistration);
            armed.complete(null);
        } catch (RuntimeException e) {
            fail(e);
            withdrawOnLoop();
        }
    }

    /** Any thread: idempotent. */
    final void requestCancel() {
        if (cancelRequested.compareAndSet(false, true)) {
            onLoop(this::withdrawOnLoop);
        }
    }

    final boolean isActive() {
        return !cancelRequested.get();
    }

    /** Loop thread: disarms once Netty's registration is known (else registerDone does it). */
    final void withdrawOnLoop() {
        cancelRequested.set(true);
        if (withdrawn || nettyRegistration == null) {
            return;
        }
        withdrawn = true;
        disarm(nettyRegistration);
    }

    /** Loop thread: one consume, one handler call if it took anything. */
    final void consumeAndDeliver() {
        if (cancelRequested.get()) {
            withdrawOnLoop(); // a readable fd must not keep a level-triggered loop busy until the task runs
            return;
        }
        long n;
        try {
            n = signal.consume();
        } catch (ClosedChannelException e) {
            withdrawOnLoop(); // closing: our lease keeps the number; its listener cancels too
            return;
        } catch (IOException e) {
            fail(e);
            withdrawOnLoop();
            return;
        }
        if (n == 0) {
            return; // someone else consumed first, or a Waker's spurious wake
        }
        try {
            handler.accept(n);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "wakefd handler for " + signal + " on " + loop + " threw", e);
        }
    }

    /** Loop thread, or the caller's thread when the loop no longer runs tasks. */
    final void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    /** Netty (loop thread): it no longer holds the fd for this handle. */
    @Override
    public final void unregistered() {
        LIVE.remove(key, this); // Netty's fd-keyed entry is gone: the fd may be registered again
        try {
            loop.execute(this::finish); // after the current I/O batch: see 2(a)
        } catch (RejectedExecutionException e) {
            finish(); // the loop is past its last batch
        }
    }

    /** Netty's shutdown (loop thread): same as cancel. Idempotent. */
    @Override
    public final void close() {
        withdrawOnLoop();
    }

    /** Returns the lease, exactly once. See the class comment for why this is safe. */
    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        cancelRequested.set(true);
        LIVE.remove(key, this); // if unregistered() did not: before the release, while the number is ours
        ACCESS.removeOnClose(signal, onSignalClose);
        loop.terminationFuture().removeListener(onLoopTerminated);
        ACCESS.release(signal);
        Throwable cause = failure;
        if (cause == null) {
            armed.cancel(false);
            done.complete(null);
        } else {
            armed.completeExceptionally(cause);
            done.completeExceptionally(cause);
        }
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            // The loop takes no more tasks: its shutdown closes every registration it holds
            // (close() above) and its termination finishes the rest (2c).
        }
    }

    /** A ClosedChannelException that names the signal. */
    private static final class SignalClosed extends ClosedChannelException {
        private static final long serialVersionUID = 1L;
        private final String what;

        SignalClosed(WakeSignal s) {
            this.what = s.toString();
        }

        @Override
        public String getMessage() {
            return what + " is closed: cannot register it";
        }
    }
}
