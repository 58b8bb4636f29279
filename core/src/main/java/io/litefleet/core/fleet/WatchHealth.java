package io.litefleet.core.fleet;

/**
 * How far the fleet can trust file-system watching, which decides how often it rescans everything: rarely (the
 * full-scan interval, a safety net) while {@link #HEALTHY}, at the scan interval otherwise. A closed set: its
 * {@link #label()} is a metric label value.
 */
public enum WatchHealth {
    /** Every directory a pattern can match is watched and no event was lost lately. */
    HEALTHY("healthy"),
    /** Events were lost (the kernel's queue overflowed) within the last scan interval. */
    LOST_EVENTS("lost-events"),
    /** Some directories cannot be watched (the watch table is full, the watch stopped) until the fleet restarts. */
    INCOMPLETE("incomplete"),
    /** Watching is unavailable (the discovery or the file system cannot watch, or watching is switched off). */
    OFF("off");

    private final String label;

    WatchHealth(String label) {
        this.label = label;
    }

    /** The lower-case name shown in status, logs and metric labels. */
    public String label() {
        return label;
    }

    /** Whether the fleet rescans at the long full-scan interval only. */
    public boolean trusted() {
        return this == HEALTHY;
    }
}
