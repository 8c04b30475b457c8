package dev.wakefd.shm;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import dev.wakefd.internal.Cleaners;
import dev.wakefd.internal.Internals;
import dev.wakefd.internal.Membarrier;
import dev.wakefd.internal.VarHandles;
import dev.wakefd.ipc.FdSocket;
import dev.wakefd.shm.internal.PeerWatch;
import dev.wakefd.shm.internal.Region;
import dev.wakefd.shm.internal.Ring;
import dev.wakefd.shm.internal.SegmentMem;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What both ends share: the mapped region, this side's {@link Ring}, the eventfd it sleeps on
 * ({@code own}), the one it signals ({@code other}), the set-up socket kept open to notice the
 * peer hanging up, the wait before a sleep, and close. Invariants (docs/design/shm-ring.md,
 * "Ownership" and "Waiting"): every fd and the mapping belong to a {@link Resources} that never
 * refers back to the end, so a forgotten end becomes unreachable and its Cleaner releases them;
 * at most one thread at a time runs an operation of an end ({@link #enter}), a second one gets
 * IllegalStateException before it touches the ring; {@link #close()} may come from any thread.
 */
abstract sealed class ShmEnd implements AutoCloseable permits ShmSender, ShmReceiver {
    private static final Cleaner CLEANER = Cleaners.CLEANER;
    private static final Internals.Access CORE = Internals.access();

    /**
     * The biased owner and whether it is inside an operation. Only its thread writes {@code inside}
     * (a thread that lost the end may still write its own, old Claim, never the new owner's).
     */
    private static final class Claim {
        final Thread thread;
        volatile boolean inside;

        Claim(Thread thread) {
            this.thread = thread;
        }
    }

    private static final VarHandle USER = VarHandles.find(MethodHandles.lookup(), ShmEnd.class, "user", Thread.class);
    private static final VarHandle OWNER = VarHandles.find(MethodHandles.lookup(), ShmEnd.class, "owner", Object.class);
    private static final VarHandle INSIDE =
            VarHandles.find(MethodHandles.lookup(), Claim.class, "inside", boolean.class);
    private static final VarHandle REVOKER =
            VarHandles.find(MethodHandles.lookup(), ShmEnd.class, "revoker", Thread.class);

    /** What {@link #enter} took, for {@link #exit}: nothing (a nested call), the biased claim, or the CAS claim. */
    static final int NESTED = 0, BIASED = 1, CLAIMED = 2;
    /** {@link #owner} once the end is no longer biased: every operation claims it with a CAS. */
    private static final Object SHARED = new Object();
    /** Take-overs after which an end stops being biased (a thread hand-off per operation, e.g. futures). */
    static final int MAX_TAKE_OVERS = 3;

    /** A hand-off from idle: this side woke the other at most this long before its wait began. */
    static final long WOKE_JUST_NOW_NANOS = 20_000;
    /** A recent wait at least this long makes a wait sleep at once: looking would not pay. */
    static final long LOOK_PAYS_BELOW_NANOS = 5_000;
    /** A wait that slept counts as a long sample only past this (shorter: it lasted a wake, not a gap). */
    static final long SLEPT_SAMPLE_ABOVE_NANOS = 100_000;
    /** How often a spin looks at the ring, so the other side's line is not pulled over per message. */
    private static final long LOOK_EVERY_NANOS = 1_000;

    final Region region;
    final Ring ring;
    final EventFd own;
    final EventFd other;
    final long peerPid;
    /** What close() and the Cleaner release. */
    private final Resources res;

    private final Cleaner.Cleanable cleanable;

    // Who may run an operation (docs/design/shm-ring.md, "One thread per end"). Biased: the owner
    // enters with plain-cost accesses to its own Claim, and a thread that takes over pays a membarrier.
    /** The {@link Claim} of the thread the end is biased to, null before the first operation, SHARED once unbiased. */
    private volatile Object owner;
    /** A thread taking the end over from its owner (one at a time: a CAS from null). */
    private volatile Thread revoker;
    /** Take-overs so far: written only by the thread holding {@link #revoker}. */
    private int takeOvers;
    /** Tests only: take-overs before the end stops being biased, and the negative control's switch for T2. */
    int maxTakeOvers = MAX_TAKE_OVERS;

    boolean takeOverBarrier = true;
    /** Unbiased (SHARED): the thread inside an operation of this end, if any (a CAS claim). */
    private volatile Thread user;

    volatile long spinNanos = Runtime.getRuntime().availableProcessors() > 1 ? 20_000 : 0;
    // waiting policy state: written by the thread inside an operation only (lastWake also by close, a hint)
    private long lastWake = Long.MIN_VALUE / 2, recentWait;
    // counters: written by the thread inside an operation only
    private long wakes, sleeps, waits;

    ShmEnd(Region region, EventFd own, EventFd other, FdSocket socket) throws IOException {
        this.region = region;
        this.own = own;
        this.other = other;
        this.peerPid = socket.peer().pid();
        this.ring = new Ring(new SegmentMem(region.segment()), region.capacity(), this::wakeOther, own::tryRead);
        this.res = new Resources(region, own, other, socket);
        this.cleanable = CLEANER.register(this, res);
    }

    private void wakeOther() throws IOException {
        other.signal();
        wakes++;
        lastWake = System.nanoTime();
    }

    /**
     * Every fd and the mapping of one end, released once by close(), by the channel closing as
     * corrupted, or by the Cleaner when a forgotten end became unreachable. No field refers to the
     * end: the peer watch's handler and the Cleaner hold this object only.
     */
    private static final class Resources implements Runnable {
        final Region region;
        final EventFd own;
        final EventFd other;
        final FdSocket socket;
        final Poller.Registration watch;
        final AtomicBoolean closed = new AtomicBoolean();
        /** Set by the peer watch (then {@code own} is signalled, so a sleeper re-checks it). */
        volatile boolean peerGone;

        Resources(Region region, EventFd own, EventFd other, FdSocket socket) throws IOException {
            this.own = own; // before the watch: its handler may run at once and signals own
            this.watch = PeerWatch.watch(socket.fd(), this::peerHungUp); // the handler holds this, never the end
            this.region = region;
            this.other = other;
            this.socket = socket;
        }

        void peerHungUp() {
            peerGone = true;
            try {
                own.signal(); // a sleeper that missed the flag in its re-check wakes (eventfd counts persist)
            } catch (IOException | RuntimeException ignored) {
                // closed meanwhile: nobody sleeps on it any more
            }
        }

        @Override
        public void run() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            PeerWatch.cancel(watch);
            socket.close();
            own.close();
            other.close();
            region.close();
        }
    }

    /**
     * Claims this end for the calling thread's operation; hand the result to {@link #exit} in a
     * finally. Biased to the thread that uses the end: its operations store and load fields of
     * its own line and execute no locked instruction (the producer's per-message fence that the
     * CAS claim cost); another thread takes the end over only after a {@code membarrier(2)} that
     * proves the owner is not inside (B1-B3 against T1-T3, docs/design/shm-ring.md, "One thread
     * per end"). After {@value #MAX_TAKE_OVERS} take-overs, or where membarrier is unavailable,
     * every operation claims the end with a CAS instead.
     *
     * @throws IllegalStateException if another thread is inside an operation of this end
     */
    final int enter(String operation) {
        if (owner instanceof Claim c && c.thread == Thread.currentThread()) {
            if (c.inside) {
                return NESTED; // send -> offer: only this thread stores true here
            }
            if (enterBiased(c)) {
                return BIASED;
            }
        }
        return enterSlow(Thread.currentThread(), operation);
    }

    /** B1-B3 for the owner's Claim {@code c}: true if it is inside; false (stepped back) if a take-over is under way or done. */
    private boolean enterBiased(Claim c) {
        INSIDE.setRelease(c, true); // B1: ordered before B2 by the taker's membarrier, not by a fence here
        if (REVOKER.getAcquire(this) == null && OWNER.getAcquire(this) == c) { // B2, then B3
            return true;
        }
        INSIDE.setRelease(c, false); // step back
        return false;
    }

    private int enterSlow(Thread t, String operation) {
        while (true) {
            Object o = owner;
            if (o == SHARED) {
                return claim(t, operation);
            }
            if (o == null) {
                OWNER.compareAndSet(this, null, Membarrier.available() ? new Claim(t) : SHARED); // the first operation
                continue;
            }
            Claim c = (Claim) o;
            if (c.thread != t) {
                takeOver(t, c, operation);
                continue;
            }
            if (enterBiased(c)) {
                return BIASED;
            }
            Thread r = revoker;
            if (r != null) {
                throw misuse(operation, t, r, "is taking this end over");
            }
        }
    }

    /**
     * Makes {@code t} the owner (or the end SHARED) if the owner {@code c} is not inside an
     * operation. T1 announces the take-over, T2 (membarrier) makes every thread of this process
     * pass a full barrier, so either the owner's B1 is visible to T3 or its B2 sees T1 and it
     * steps back.
     */
    private void takeOver(Thread t, Claim c, String operation) {
        if (!REVOKER.compareAndSet(this, null, t)) { // T1
            Thread r = revoker;
            throw misuse(operation, t, r == null ? c.thread : r, "is taking this end over");
        }
        try {
            if (takeOverBarrier) {
                try {
                    Membarrier.privateExpedited(); // T2
                } catch (IOException e) {
                    throw new IllegalStateException(
                            "wakefd-shm: cannot take " + this + " over from thread " + c.thread.getName()
                                    + " for thread " + t.getName() + ": " + e.getMessage(),
                            e);
                }
            }
            if ((boolean) INSIDE.getAcquire(c)) { // T3
                throw misuse(operation, t, c.thread, "is inside an operation of this end");
            }
            // before the revoker's release, so a B3 after a B2 that saw it cleared sees this
            OWNER.setRelease(this, ++takeOvers >= maxTakeOvers ? SHARED : new Claim(t));
        } finally {
            REVOKER.setRelease(this, null);
        }
    }

    /** The unbiased claim: a CAS per operation. */
    private int claim(Thread t, String operation) {
        if (user == t) {
            return NESTED; // nested (send -> offer): only t itself stores t here, so no CAS is needed to know
        }
        Thread h = (Thread) USER.compareAndExchange(this, (Thread) null, t); // seq-cst: two claimers cannot both win
        if (h == null) {
            return CLAIMED;
        }
        if (h == t) {
            return NESTED;
        }
        throw misuse(operation, t, h, "is inside an operation of this end");
    }

    private IllegalStateException misuse(String operation, Thread t, Thread h, String what) {
        return new IllegalStateException("wakefd-shm misuse: " + operation + " on " + this + " from thread "
                + t.getName() + " while thread " + h.getName() + (h.isVirtual() ? " (virtual)" : "") + " " + what
                + "; an end is used by one thread at a time (only close() may come from any thread)");
    }

    /** Ends the claim {@link #enter} took (release stores: the next claimer sees this one's ring state). */
    final void exit(int took) {
        if (took == BIASED) {
            INSIDE.setRelease((Claim) owner, false); // still this thread's Claim: nobody takes over while it is inside
        } else if (took == CLAIMED) {
            USER.setRelease(this, null);
        }
    }

    /** Whether operations of this end are biased to one thread now (tests). */
    final boolean biased() {
        return owner instanceof Claim;
    }

    /**
     * How long a blocked call may look at the ring before it sleeps in the kernel (default 20 µs
     * with more than one CPU, 0 with one). Within that limit each wait decides from what recent
     * waits showed: it sleeps at once after it just woke the peer or when recent waits were longer
     * than a wake costs, and otherwise looks for about twice the recent wait (docs/shm.md).
     *
     * @param spin the longest look before sleeping; zero sleeps at once
     * @throws IllegalArgumentException if negative
     */
    public void spinBeforeSleep(Duration spin) {
        if (spin.isNegative()) {
            throw new IllegalArgumentException("spinBeforeSleep " + spin + ": must not be negative");
        }
        spinNanos = spin.toNanos();
    }

    /**
     * The data area's size in bytes.
     *
     * @return the capacity given at creation
     */
    public int capacity() {
        return ring.capacity();
    }

    /**
     * The largest message this channel carries: capacity / 2 - 8 bytes.
     *
     * @return the largest message length in bytes
     */
    public int maxMessage() {
        return ring.maxMessage();
    }

    /**
     * The peer process's pid, as the kernel reported it when the set-up socket connected.
     *
     * @return the peer's pid
     */
    public long peerPid() {
        return peerPid;
    }

    /**
     * The eventfd this end sleeps on, for event loops: it turns readable when the other side
     * asks for this end to be woken (after {@code prepareToWait()} returned true), when the
     * peer closes or hangs up; a count left by this end's own blocking calls (which read it
     * before they sleep, not after) can make it readable once more: a spurious wake. Owned by
     * the channel: never close it.
     *
     * @return this end's eventfd
     */
    public EventFd signal() {
        return own;
    }

    /**
     * Whether this end is still open.
     *
     * @return false once {@link #close()} was called or the channel was closed as corrupted
     */
    public boolean isOpen() {
        return !res.closed.get();
    }

    /**
     * How many times this end woke the peer: eventfd writes made because the peer had announced
     * a sleep (close's wake not counted). Counted by the thread using the end: read it there, or
     * after that thread's calls returned.
     *
     * @return the wakes this end sent
     */
    public long wakes() {
        return wakes;
    }

    /**
     * How many times a blocked call of this end slept in the kernel (announced, then waited on
     * its eventfd); see {@link #wakes()} for when to read it.
     *
     * @return the sleeps of this end
     */
    public long sleeps() {
        return sleeps;
    }

    /**
     * How many times a blocked call of this end waited at all, looking at the ring or sleeping
     * (messages taken divided by this is the average batch a waiting receiver gets); see
     * {@link #wakes()} for when to read it.
     *
     * @return the waits of this end
     */
    public long waits() {
        return waits;
    }

    /** Whether the peer hung up (its socket end closed) without closing the channel first. */
    final boolean peerGone() {
        return res.peerGone;
    }

    /** What a blocked call waits for, looked at without waiting. */
    @FunctionalInterface
    interface Ready {
        boolean now() throws ShmCorruptedException;
    }

    /**
     * This side's announcement that it is about to sleep (the ring's S1/S2); false: look again
     * now. With {@code clearFirst} it first clears {@code own} (C0), for a sleep that will not
     * read it when it wakes.
     */
    abstract boolean announce(boolean clearFirst) throws IOException;

    /** Withdraws this side's announcement. */
    abstract void withdraw();

    /** Whether the peer's producer streams (docs/design/shm-ring.md, "Waiting"); only a receiver's can. */
    boolean peerStreams() {
        return false;
    }

    /** The exception for a wait that ran out of time with nothing ready. */
    abstract SocketTimeoutException timeout(Duration timeout);

    /**
     * Waits until {@code ready} may hold: looks first as the policy says, then announces, sleeps
     * on {@code own} and withdraws. Returns when the caller should look again; the deadline is
     * System.nanoTime() based, -1 for none.
     */
    final void await(Ready ready, long deadline, Duration timeout) throws IOException, InterruptedException {
        try {
            long start = System.nanoTime();
            boolean handOff = start - lastWake < WOKE_JUST_NOW_NANOS;
            waits++;
            if (look(ready, start, handOff)) {
                if (!handOff) {
                    recentWait += (System.nanoTime() - start - recentWait) >> 2;
                }
                return;
            }
            // A platform thread clears its eventfd before announcing and does not read it when it
            // wakes: the read is off the path from the wake to the message (shm-ring.md, "Clear
            // before announcing"). A virtual thread's wait reads it (core parks on the read).
            boolean clearFirst = !Thread.currentThread().isVirtual();
            if (!announce(clearFirst)) {
                return;
            }
            try {
                if (!res.peerGone) { // the watch sets peerGone, then signals: either seen here or the wait returns
                    long left = deadline == -1 ? -1 : deadline - System.nanoTime();
                    if (deadline != -1 && left <= 0) {
                        throw timeout(timeout);
                    }
                    sleeps++;
                    sleep(left);
                    if (deadline != -1 && deadline - System.nanoTime() <= 0 && !ready.now()) {
                        throw timeout(timeout);
                    }
                }
            } finally {
                withdraw();
            }
            long slept = System.nanoTime() - start;
            if (!handOff) {
                // A long sleep is a real gap. A shorter one lasted about a wake, not the other
                // side's pace: it counts as a short wait, or one pause in a stream would make every
                // later wait sleep at once, and nothing would ever bring the average down again.
                long sample = slept > SLEPT_SAMPLE_ABOVE_NANOS ? Math.min(slept, 1_000_000) : 0;
                recentWait += (sample - recentWait) >> 2;
            }
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        }
    }

    /**
     * Whether to look before sleeping and for how long (docs/design/shm-ring.md, "Waiting"): not
     * at all with a zero spin or when recent waits were longer than a wake costs; once, after
     * giving the CPU away, when this side just woke the peer (whose wake lands best on a CPU that
     * is not spinning); else for about twice the recent wait, at most the spin. True if ready.
     */
    private boolean look(Ready ready, long start, boolean handOff) throws ShmCorruptedException {
        long max = spinNanos;
        if (max <= 0) {
            return false;
        }
        if (handOff) {
            Thread.yield();
            return ready.now();
        }
        // A peer that streams is publishing now: look for the whole spin before announcing, which
        // would cost a barrier and, nearly always, a wake that finds this side already awake.
        boolean streaming = peerStreams();
        if (!streaming && recentWait >= Math.min(LOOK_PAYS_BELOW_NANOS, max / 2)) {
            return false;
        }
        long budget = streaming ? max : Math.min(max, 2 * recentWait + LOOK_EVERY_NANOS);
        long next = start;
        while (true) {
            long now = System.nanoTime();
            if (now - next >= 0) {
                if (ready.now()) {
                    return true;
                }
                if (now - start >= budget) {
                    return false;
                }
                next = now + LOOK_EVERY_NANOS / 4;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Waits until {@code own} is readable, with the given limit (nanos, negative = none); a
     * platform thread leaves the count for the next announcement's clear, a virtual one reads it.
     */
    private void sleep(long nanos) throws IOException, InterruptedException {
        try {
            CORE.awaitReadable(own, nanos < 0 ? null : Duration.ofNanos(nanos));
        } finally {
            Reference.reachabilityFence(this); // a sleeping end is in use: its Cleaner must not run
        }
    }

    /** The exception to throw for a failure inside an operation: corruption closes, a close in between reads as closed. */
    final IOException failure(Exception e) { // e: ShmCorruptedException or IllegalStateException
        return e instanceof ShmCorruptedException c ? corrupted(c) : closedOr((RuntimeException) e);
    }

    /** Turns a failure that happened because the region was unmapped by close() into ClosedChannelException. */
    final IOException closedOr(RuntimeException e) {
        if (res.closed.get() && e instanceof IllegalStateException) {
            ClosedChannelException c = new ClosedChannelException();
            c.initCause(e);
            return c;
        }
        throw e;
    }

    final void ensureOpen() throws ClosedChannelException {
        if (res.closed.get()) {
            throw new ClosedChannelException();
        }
    }

    /** Closes the channel because the region is corrupt, and hands the exception back to throw. */
    final ShmCorruptedException corrupted(ShmCorruptedException e) {
        cleanable.clean();
        ShmCorruptedException c = new ShmCorruptedException(
                "wakefd-shm region corrupted by the peer (pid " + peerPid + "), channel closed: " + e.getMessage());
        c.initCause(e);
        return c;
    }

    /**
     * For event loops: after an offer or drain found nothing to do, announces that this end
     * waits. True: wait until {@link #signal()} turns readable (consume it, then try again);
     * false: the ring changed, the peer closed or hung up meanwhile: try again now.
     *
     * @return true to wait for {@link #signal()}, false to try again now
     * @throws ShmCorruptedException if the peer corrupted the region (the channel is closed)
     * @throws IOException ({@link java.nio.channels.ClosedChannelException}) if this end is closed
     */
    public boolean prepareToWait() throws IOException {
        int took = enter("prepareToWait");
        try {
            ensureOpen();
            if (res.peerGone) {
                return false;
            }
            return announce(false); // the event loop reads signal() itself
        } catch (ShmCorruptedException | IllegalStateException e) {
            throw failure(e);
        } finally {
            exit(took);
        }
    }

    /** This side's part of closing, in shared memory (flag) and towards the peer (a wake). */
    abstract void closeShared() throws IOException;

    /**
     * Closes this end: tells the peer (the end-of-stream or abandoned flag, then a wake), stops
     * watching the peer, closes the socket and both eventfds (a call blocked on this end ends with
     * ClosedChannelException) and unmaps the region. Idempotent; safe from any thread. An end
     * that is never closed is released the same way (without telling the peer, who sees a
     * hang-up) once it is unreachable.
     */
    @Override
    public void close() {
        if (res.closed.get()) {
            return;
        }
        try {
            closeShared();
            other.signal();
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone or the region is unusable: nothing more to tell it
        }
        cleanable.clean();
    }
}
