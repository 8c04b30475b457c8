package dev.wakefd.internal;

import dev.wakefd.ErrnoException;

/**
 * The {@link ErrnoException} that wakefd's modules throw, made by {@link Errno#exception}; kept so
 * code that catches this type keeps compiling. Callers outside wakefd catch {@link ErrnoException}.
 */
public final class NativeIOException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    NativeIOException(String call, int errno) {
        super(call, errno);
    }
}
