package dev.wakefd.bench;

import dev.wakefd.EventFd;
import java.io.IOException;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The far side of an EventFd round trip: two EventFds and an echo thread that awaits ping and
 * signals pong. The JMH states extend it and say in their setup which kind of thread echoes.
 */
@State(Scope.Thread)
public class SignalEcho {
    EventFd ping;
    EventFd pong;
    Thread echo;

    /** Opens both signals and starts the echo on a thread from {@code thread}. */
    void start(Thread.Builder thread) throws IOException {
        ping = EventFd.open();
        pong = EventFd.open();
        echo = thread.start(() -> {
            try {
                while (true) {
                    ping.await();
                    pong.signal();
                }
            } catch (Exception closed) {
                // benchmark over: close() ends the await with an exception
            }
        });
    }

    /** One round trip from the benchmark thread; returns the count that came back. */
    long trip() throws IOException, InterruptedException {
        ping.signal();
        return pong.await();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        ping.close();
        pong.close();
        echo.join();
    }
}
