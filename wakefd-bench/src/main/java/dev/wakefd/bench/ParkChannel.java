package dev.wakefd.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The baseline for the bridge: a plain bounded SPSC ring whose sides park when they must wait and
 * are unparked by the other (announce, re-check, park; Dekker through volatile accesses). No
 * eventfd, so it can only connect two Java threads.
 */
final class ParkChannel<T> implements BridgeLatencyBench.Handoff<T> {
    private final Object[] ring;
    private final int mask;
    private final AtomicLong head = new AtomicLong(); // next to take
    private final AtomicLong tail = new AtomicLong(); // next to put
    private volatile Thread sleepingConsumer;
    private volatile Thread sleepingProducer;

    ParkChannel(int capacity) {
        ring = new Object[capacity];
        mask = capacity - 1;
    }

    @Override
    public void put(T x) {
        long t = tail.get();
        while (t - head.get() == ring.length) {
            sleepingProducer = Thread.currentThread();
            if (t - head.get() == ring.length) {
                LockSupport.park(this);
            }
            sleepingProducer = null;
        }
        ring[(int) t & mask] = x;
        tail.set(t + 1); // volatile: before the look at the sleeper
        Thread c = sleepingConsumer;
        if (c != null) {
            LockSupport.unpark(c);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T take() throws InterruptedException {
        long h = head.get();
        while (h == tail.get()) {
            sleepingConsumer = Thread.currentThread();
            if (h == tail.get()) {
                LockSupport.park(this);
            }
            sleepingConsumer = null;
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        int i = (int) h & mask;
        T x = (T) ring[i];
        ring[i] = null;
        head.set(h + 1);
        Thread p = sleepingProducer;
        if (p != null) {
            LockSupport.unpark(p);
        }
        return x;
    }
}
