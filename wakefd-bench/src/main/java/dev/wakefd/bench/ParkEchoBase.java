package dev.wakefd.bench;

import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The JDK's own hand-off as a round trip: LockSupport park/unpark with a flag each way. The JMH
 * states extend it and say in their setup which kind of thread echoes.
 */
@State(Scope.Thread)
public class ParkEchoBase {
    volatile boolean toEcho;
    volatile boolean toBench;
    volatile boolean stop;
    volatile Thread bench;
    Thread echo;

    /** Starts the echo on a thread from {@code thread}. */
    void start(Thread.Builder thread) {
        bench = Thread.currentThread();
        echo = thread.start(() -> {
            while (!stop) {
                while (!toEcho && !stop) {
                    LockSupport.park(this);
                }
                toEcho = false;
                toBench = true;
                LockSupport.unpark(bench);
            }
        });
    }

    /** One round trip from the benchmark thread. */
    void trip() {
        bench = Thread.currentThread();
        toEcho = true;
        LockSupport.unpark(echo);
        while (!toBench) {
            LockSupport.park(this);
        }
        toBench = false;
    }

    @TearDown(Level.Trial)
    public void close() throws InterruptedException {
        stop = true;
        LockSupport.unpark(echo);
        echo.join();
    }
}
