package dev.wakefd.internal;

import java.io.IOException;

/** An OS failure: the system call that failed and its errno, both kept for callers that branch on them. */
public final class NativeIOException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    NativeIOException(String message, String call, int errno) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
