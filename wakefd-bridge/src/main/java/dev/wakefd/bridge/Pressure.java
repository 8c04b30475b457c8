package dev.wakefd.bridge;

/**
 * How full a bridge is, as the producer sees it, so it can shed or slow down before it blocks.
 * The thresholds are set with {@link Bridge.Builder#pressure(double, double)} (default 85% and
 * 95% of the capacity).
 *
 * <pre>{@code
 * switch (sender.pressure()) {
 *     case NORMAL -> sender.send(event);
 *     case ELEVATED -> sender.send(event.withoutDetails());
 *     case CRITICAL -> dropped.increment();   // shed instead of blocking
 * }
 * }</pre>
 */
public enum Pressure {
    /** Below the elevated threshold. */
    NORMAL,
    /** At or above the elevated threshold, below the critical one. */
    ELEVATED,
    /** At or above the critical threshold (a full bridge is critical). */
    CRITICAL
}
