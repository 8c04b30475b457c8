package dev.wakefd.cli;

import dev.wakefd.EventFd;
import java.time.Duration;

/**
 * One runtime in the demo ring. The ring hands each hop an inbound and an outbound eventfd; the
 * hop waits on the inbound one in its own way (a virtual thread's await, a Poller handler, a Netty
 * loop, a Python asyncio reader) and, each time it wakes, notes the time and signals the outbound
 * one. Exactly one wake circulates, so every hop wakes once per lap, in ring order.
 *
 * <p>A new runtime joins the ring as one more implementation listed in {@link Hops#candidates}.
 */
interface Hop extends AutoCloseable {
    /** Short name, e.g. {@code virtual thread}. */
    String name();

    /** How it waits, in the public API's terms. */
    String how();

    /**
     * Starts waiting on {@code in}; the hop passes {@code laps} wakes on to {@code out}, then stops
     * by itself. Returns once the hop is ready to take the first wake.
     */
    void start(EventFd in, EventFd out, int laps) throws Exception;

    /** How many wakes it has passed on so far; any thread may ask (to say where a lost wake stopped). */
    int passed();

    /**
     * Waits, at most {@code timeout}, for the hop to stop, and returns when it woke on each lap,
     * in {@link System#nanoTime()} terms (CLOCK_MONOTONIC on Linux). What the hop's thread wrote
     * is visible to the caller once this returns (a join, or a poller close that joins).
     */
    long[] wakeTimes(Duration timeout) throws Exception;

    /** Stops the hop if it still runs and frees what it holds. Idempotent. */
    @Override
    void close();
}
