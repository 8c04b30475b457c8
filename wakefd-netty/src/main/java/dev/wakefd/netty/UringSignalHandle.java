package dev.wakefd.netty;

import dev.wakefd.EventFd;
import dev.wakefd.WakeSignal;
import dev.wakefd.internal.Errno;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import java.util.function.LongConsumer;

/**
 * A signal in an {@code IoUringIoHandler} loop, watched by an {@code IORING_OP_POLL_ADD} for POLLIN.
 * Nothing is read by the kernel into memory, so there is no buffer whose lifetime could outlast a
 * completion; the handler consumes with {@code signal.consume()}.
 *
 * <ul>
 *   <li>Counter-mode EventFd and Waker: a <em>multishot</em> poll. It posts a completion for each
 *       wake-up of the fd, not for a level, so each completion must take everything pending: a
 *       counter-mode read does. A write after that read wakes the fd again and posts again, so
 *       none is missed. When a completion comes without {@code IORING_CQE_F_MORE} the kernel has
 *       ended the poll (e.g. on CQ overflow): it is re-armed after the consume; a new poll reports
 *       a counter that is already non-zero at once.</li>
 *   <li>Semaphore-mode EventFd (or a kernel without multishot poll): a one-shot poll re-armed after
 *       each completion. A consume takes only one, so the level matters: the re-armed poll
 *       completes at once while the count is non-zero, one unit per loop turn.</li>
 *   <li>Cancel submits {@code IORING_OP_ASYNC_CANCEL} for the poll in flight, then cancels the
 *       registration; Netty calls {@code unregistered()} after the poll's last completion
 *       ({@code -ECANCELED}) and the cancel's own, so never while the kernel may still report it.</li>
 * </ul>
 */
final class UringSignalHandle extends SignalHandle implements IoUringIoHandle {
    // From linux/io_uring.h and poll.h; Netty's own constants are package-private.
    private static final byte IORING_OP_POLL_ADD = 6;
    private static final byte IORING_OP_ASYNC_CANCEL = 14;
    private static final int IORING_POLL_ADD_MULTI = 1;
    private static final int IORING_CQE_F_MORE = 1 << 1;
    private static final int POLLIN = 0x0001;
    private static final int ECANCELED = 125;
    /** Our tags in the completions' user data. */
    private static final short POLL = 1, CANCEL = 2;

    private final boolean multishot;
    /** Loop thread: the submit id of the poll in flight, 0 when none. */
    private long pollInFlight;

    /** Typed as the base class, so that a caller's verification does not load this class. */
    static SignalHandle create(IoEventLoop loop, WakeSignal signal, LongConsumer handler) {
        return new UringSignalHandle(loop, signal, handler);
    }

    UringSignalHandle(IoEventLoop loop, WakeSignal signal, LongConsumer handler) {
        super(loop, signal, handler);
        boolean semaphore = signal instanceof EventFd e && e.isSemaphore();
        this.multishot = !semaphore && IoUring.isPollAddMultishotEnabled();
    }

    @Override
    String transport() {
        return "io_uring";
    }

    @Override
    void arm(IoRegistration r) {
        pollInFlight = r.submit(new IoUringIoOps(
                IORING_OP_POLL_ADD,
                (byte) 0,
                (short) 0,
                fd,
                0L,
                0L,
                multishot ? IORING_POLL_ADD_MULTI : 0,
                POLLIN,
                (long) POLL,
                (short) 0,
                (short) 0,
                0,
                0L));
    }

    @Override
    void disarm(IoRegistration r) {
        if (pollInFlight != 0) {
            r.submit(new IoUringIoOps(
                    IORING_OP_ASYNC_CANCEL,
                    (byte) 0,
                    (short) 0,
                    -1,
                    0L,
                    pollInFlight,
                    0,
                    0,
                    (long) CANCEL,
                    (short) 0,
                    (short) 0,
                    0,
                    0L));
        }
        r.cancel(); // Netty unregisters once no completion is outstanding
    }

    @Override
    public void handle(IoRegistration r, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        if (e.userData() == CANCEL) {
            return; // 0, -ENOENT or -EALREADY: the poll's own completion settles it either way
        }
        boolean more = (e.flags() & IORING_CQE_F_MORE) != 0;
        if (!more) {
            pollInFlight = 0;
        }
        int res = e.res();
        if (res < 0) {
            if (res != -ECANCELED) {
                fail(Errno.exception("io_uring POLL_ADD on fd " + fd, -res));
            }
            withdrawOnLoop();
            return;
        }
        consumeAndDeliver();
        if (!more && isActive()) {
            arm(nettyRegistration);
        }
    }
}
