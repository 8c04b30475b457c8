package dev.wakefd.bench;

import dev.wakefd.EventFd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongConsumer;

/** The echo side of the handler-based round trips: whatever arrives, signal {@code back}. */
final class Echo {
    private Echo() {}

    static LongConsumer signalling(EventFd back) {
        return n -> {
            try {
                back.signal();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
