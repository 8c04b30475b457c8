package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;

/**
 * A wakefd-bridge lap: a virtual thread awaits the inbound eventfd and sends the lap number into a
 * bridge; a platform thread receives it (sleeping on the bridge's own Waker) and signals onward.
 * The hop's time is when the item came out of the bridge.
 */
final class BridgeHop extends AbstractHop {
    static final String NAME = "bridge";

    BridgeHop() {
        super(
                NAME,
                "wakefd-bridge: a virtual thread sends into a Bridge, a platform thread receive()s and passes it on");
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws Exception {
        long[] t = newTimes(laps);
        Bridge<Integer> bridge = Bridge.open(64);
        Sender<Integer> sender = bridge.sender();
        Receiver<Integer> receiver = bridge.receiver();
        run(Thread.ofPlatform().name("wakefd-demo-bridge-out").daemon(), () -> {
            try (receiver) {
                for (int lap = 0; lap < laps; lap++) {
                    Integer got = receiver.receive();
                    t[lap] = System.nanoTime();
                    if (got == null || got != lap) {
                        throw new IllegalStateException("lap " + lap + ": the bridge delivered " + got);
                    }
                    out.signal();
                    passedOn(lap);
                }
            }
        });
        run(Thread.ofVirtual().name("wakefd-demo-bridge-in"), () -> {
            try (sender) {
                for (int lap = 0; lap < laps; lap++) {
                    in.await();
                    sender.send(lap);
                }
            }
        });
    }
}
