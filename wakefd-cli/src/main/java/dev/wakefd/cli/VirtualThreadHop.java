package dev.wakefd.cli;

import dev.wakefd.EventFd;

/** A virtual thread in {@code EventFd.await()}: it parks, and wakefd's shared poller unparks it. */
final class VirtualThreadHop extends AbstractHop {
    static final String NAME = "virtual thread";

    VirtualThreadHop() {
        super(NAME, "EventFd.await() in a virtual thread (parks; never pins its carrier)");
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) {
        long[] t = newTimes(laps);
        run(Thread.ofVirtual().name("wakefd-demo-virtual"), () -> {
            for (int lap = 0; lap < laps; lap++) {
                long n = in.await();
                t[lap] = System.nanoTime();
                if (n != 1) {
                    throw new IllegalStateException(
                            "lap " + lap + ": read a count of " + n + ", expected the one wake");
                }
                out.signal();
                passedOn(lap);
            }
        });
    }
}
