package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A {@link Poller} handler: the poller's epoll thread consumes the signal and calls it. */
final class PollerHop extends AbstractHop {
    static final String NAME = "Poller handler";
    private final Poller poller;
    private final CountDownLatch done = new CountDownLatch(1);

    PollerHop() throws java.io.IOException {
        super(NAME, "Poller.register(signal, handler): a handler on the Poller's own epoll thread");
        this.poller = Poller.open("wakefd-demo-poller");
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws java.io.IOException {
        long[] t = newTimes(laps);
        // Handlers run one at a time on the poller thread, so `lap` needs no synchronization.
        int[] lap = {0};
        poller.register(in, n -> {
            if (lap[0] >= laps) {
                return;
            }
            try {
                t[lap[0]] = System.nanoTime();
                if (n != 1) {
                    throw new IllegalStateException(
                            "lap " + lap[0] + ": read a count of " + n + ", expected the one wake");
                }
                out.signal();
                passedOn(lap[0]++);
                if (lap[0] == laps) {
                    done.countDown();
                }
            } catch (Throwable e) {
                fail(e);
                lap[0] = laps;
                done.countDown();
            }
        });
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw stillRunning(timeout);
        }
        poller.close(); // joins the poller thread: its writes to the times are visible from here on
        return result();
    }

    @Override
    public void close() {
        poller.close();
    }
}
