package dev.wakefd;

/** Placeholder: the threads and futures waiting on one EventFd. */
final class Waiters {
    private final EventFd owner;

    Waiters(EventFd owner) {
        this.owner = owner;
    }

    void closed() {}
}
