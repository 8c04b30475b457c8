package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * A wakefd-bridge lap: a virtual thread awaits the inbound eventfd and sends the lap number into a
 * bridge; a platform thread receives it (sleeping on the bridge's own Waker) and signals onward.
 * The hop's time is when the item came out of the bridge.
 */
final class BridgeHop implements Hop {
    static final String NAME = "bridge";
    private volatile int passed;
    private volatile Throwable failure;
    private long[] times;
    private Thread producer;
    private Thread consumer;
    private Bridge<Integer> bridge;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String how() {
        return "wakefd-bridge: a virtual thread sends into a Bridge, a platform thread receive()s and passes it on";
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws Exception {
        long[] t = new long[laps];
        times = t;
        bridge = Bridge.open(64);
        Sender<Integer> sender = bridge.sender();
        Receiver<Integer> receiver = bridge.receiver();
        producer = Thread.ofVirtual().name("wakefd-demo-bridge-in").start(() -> {
            try {
                for (int lap = 0; lap < laps; lap++) {
                    in.await();
                    sender.send(lap);
                }
            } catch (ClosedChannelException | InterruptedException e) {
                // the ring is shutting down
            } catch (Throwable e) {
                failure = e;
            } finally {
                sender.close();
            }
        });
        consumer = Thread.ofPlatform().name("wakefd-demo-bridge-out").daemon().start(() -> {
            try {
                for (int lap = 0; lap < laps; lap++) {
                    Integer got = receiver.receive();
                    t[lap] = System.nanoTime();
                    if (got == null || got != lap) {
                        throw new IllegalStateException("lap " + lap + ": the bridge delivered " + got);
                    }
                    out.signal();
                    passed = lap + 1;
                }
            } catch (ClosedChannelException | InterruptedException e) {
                // shutting down
            } catch (Throwable e) {
                failure = e;
            } finally {
                receiver.close();
            }
        });
    }

    @Override
    public int passed() {
        return passed;
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws InterruptedException {
        if (!consumer.join(timeout) || !producer.join(timeout)) {
            throw new Main.Failure(NAME + ": still running after " + timeout.toSeconds() + " s, having passed " + passed + " wakes");
        }
        if (failure != null) {
            throw new Main.Failure(NAME + ": " + failure, failure);
        }
        return times;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.interrupt();
        }
        if (consumer != null) {
            consumer.interrupt();
        }
    }
}
