package dev.wakefd.internal;

import java.lang.ref.Cleaner;

/**
 * The one {@link Cleaner} of every wakefd module: its thread (named {@code wakefd-cleaner},
 * daemon) closes what users forgot to close. One thread for the library, not one per class that
 * owns an fd ({@code Cleaner.create()} starts a thread each time).
 */
public final class Cleaners {
    private Cleaners() {}

    public static final Cleaner CLEANER = Cleaner.create(
            r -> Thread.ofPlatform().name("wakefd-cleaner").daemon().unstarted(r));
}
