package dev.wakefd;

import dev.wakefd.internal.VarHandles;
import dev.wakefd.internal.wait.Site;
import dev.wakefd.internal.wait.Waitable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * A coalescing wake-up for one waiting side (an event loop, a consumer thread): {@link #wake()}
 * costs a single load and no system call while a wake is already pending; only the wake that
 * turns "idle" into "pending" writes the eventfd.
 *
 * <pre>{@code
 * Waker waker = Waker.open();
 * // producers, any thread:
 * queue.add(task);
 * waker.wake();
 * // the loop:
 * while (running) {
 *     waker.await();         // or: poll/epoll on waker.fd(), then waker.drain()
 *     for (Runnable t; (t = queue.poll()) != null; ) t.run();
 * }
 * }</pre>
 *
 * <h2>The protocol</h2>
 * One flag, {@code state}: IDLE, PENDING or CLOSED.
 * <ul>
 *   <li>{@code wake()}: if the flag reads PENDING, return (a load, no store, so the line stays
 *       shared between cores). Otherwise CAS IDLE to PENDING; the one thread whose CAS wins writes
 *       1 to the eventfd. Every other caller saw PENDING and returns.</li>
 *   <li>{@code drain()}: first read the eventfd (taking whatever is there), then CAS the flag
 *       PENDING to IDLE. The waiting side looks for work only after {@code drain()}.</li>
 * </ul>
 * <b>Why no wake is lost.</b> A producer publishes its work, then reads the flag (volatile, so
 * sequentially consistent with the consumer's CAS). If it reads PENDING, the flag had not yet
 * been cleared by the drain that will follow, and the consumer checks for work only after that
 * clear, so it sees the work. If it reads IDLE, it (or another producer) makes the flag PENDING
 * and writes the fd, so the consumer's next wait returns. The reverse order in {@code drain()}
 * (clear the flag, then read the fd) would lose wakes forever: a wake landing between the two
 * would set the flag and write the fd, the read would then empty the fd, and the flag would stay
 * PENDING with nothing readable, so every later {@code wake()} would return without writing.
 * A write that lands after the read (its CAS won before the clear) leaves the fd readable with
 * the flag IDLE: one spurious wake-up, never a lost one.
 *
 * <p><b>Close.</b> {@code close()} sets the flag to CLOSED, then closes the eventfd; the write in
 * {@code wake()} goes through {@link EventFd#signal()}, whose guard never lets it reach a released
 * fd number. Producers must publish work with a volatile write or a {@code java.util.concurrent}
 * collection before {@code wake()}.
 *
 * <p>A foreign writer (native code, another process) writing the fd wakes the waiting side too:
 * {@code drain()} reports it even though the flag was IDLE.
 */
public final class Waker extends WakerState implements WakeSignal {
    private final EventFd eventFd;
    private final LongAdder writes = new LongAdder();
    /** This Waker as the waiting machinery sees it: the eventfd's Site, drain, and wake to give back. */
    private final Waitable waitable = new Waitable() {
        @Override
        public Site site() {
            return eventFd.site;
        }

        @Override
        public long consume() throws IOException {
            return Waker.this.consume();
        }

        @Override
        public void giveBack(long count) {
            wake();
        }
    };

    Waker(EventFd eventFd) {
        this.eventFd = eventFd;
    }

    /**
     * A Waker over a new counter-mode eventfd.
     *
     * @return a Waker over a new counter-mode eventfd
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static Waker open() throws IOException {
        return new Waker(EventFd.open());
    }

    /**
     * Wakes the waiting side. Costs one load while a wake is pending; otherwise one {@code write(2)}.
     *
     * @throws UncheckedIOException wrapping a {@link java.nio.channels.ClosedChannelException} if
     *     this Waker is closed
     */
    public void wake() {
        int s = (int) STATE.getVolatile(this);
        if (s == PENDING) {
            return;
        }
        wakeSlow(s);
    }

    private void wakeSlow(int s) {
        while (s == IDLE) {
            s = (int) STATE.compareAndExchange(this, IDLE, PENDING);
            if (s == IDLE) {
                try {
                    writes.increment();
                    eventFd.signal();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return;
            }
        }
        if (s == CLOSED) {
            throw new UncheckedIOException(eventFd.closed());
        }
        // PENDING: another producer won the CAS and writes the fd.
    }

    /**
     * For the waiting side: consumes a pending wake. Returns true if there was one (from
     * {@link #wake()} or a foreign writer). Call it after the fd turned readable, then look for
     * work.
     *
     * @return true if a wake was pending (and is now consumed)
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public boolean drain() throws IOException {
        long n = eventFd.tryRead(); // fd first, then the flag: see the class comment
        boolean flagged = STATE.compareAndSet(this, PENDING, IDLE);
        return n != 0 || flagged;
    }

    /** 1 if a wake was pending (as {@link #drain()}), else 0. */
    @Override
    public long consume() throws IOException {
        return drain() ? 1 : 0;
    }

    @Override
    public int fd() {
        return eventFd.fd();
    }

    /**
     * How many times a wake paid for a {@code write(2)}, since open.
     *
     * @return the number of wakes that wrote the eventfd since open
     */
    public long writes() {
        return writes.sum();
    }

    @Override
    public boolean isOpen() {
        return eventFd.isOpen();
    }

    /** Closes the Waker: later wakes throw, waiters are woken with an exception. Idempotent. */
    @Override
    public void close() {
        STATE.setVolatile(this, CLOSED);
        eventFd.close();
    }

    /** The eventfd underneath, for the integration modules. */
    EventFd eventFd() {
        return eventFd;
    }

    Waitable waitable() {
        return waitable;
    }

    @Override
    public String toString() {
        int s = (int) STATE.getVolatile(this);
        return "Waker[fd=" + eventFd.site.fd() + ", " + (s == PENDING ? "pending" : s == IDLE ? "idle" : "closed")
                + "]";
    }
}

/** Padding around the flag so that no unrelated hot field shares its cache line. */
abstract class WakerPadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class WakerFlag extends WakerPadBefore {
    static final int IDLE = 0, PENDING = 1, CLOSED = 2;
    static final VarHandle STATE = VarHandles.find(MethodHandles.lookup(), WakerFlag.class, "state", int.class);

    @SuppressWarnings("unused") // through STATE
    volatile int state;
}

abstract sealed class WakerState extends WakerFlag permits Waker {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}
