package dev.wakefd.shm;

import java.io.IOException;

/**
 * The other end is gone: it closed its end (a receiver abandoned the stream), or its process
 * hung up or died without closing. The message says which, and how many messages got through.
 */
public class ShmClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what ended the channel, and how many messages got through
     */
    public ShmClosedException(String message) {
        super(message);
    }
}
