package dev.wakefd.shm;

import java.io.IOException;

/**
 * The shared region or the set-up message broke a rule of the layout (docs/shm-layout.md): a position,
 * length, stamp or header field the peer wrote is impossible. The channel is closed when this is
 * thrown; the message names the value and the rule it broke.
 */
public class ShmCorruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the value that was wrong and the rule it broke
     */
    public ShmCorruptedException(String message) {
        super(message);
    }
}
