package io.litefleet.core.restore;

import java.util.Locale;

/**
 * The SQLite check a restored database passes before it is installed, named as upstream's
 * {@code -integrity-check} values: {@code none}, {@code quick} ({@code PRAGMA quick_check}: structure, not whether
 * indexes match their tables) or {@code full} ({@code PRAGMA integrity_check}).
 */
public enum IntegrityCheck {
    /** No check: the restored file is installed as the replica holds it. */
    NONE(null),
    /** {@code PRAGMA quick_check}. */
    QUICK("quick_check"),
    /** {@code PRAGMA integrity_check}. */
    FULL("integrity_check");

    private final String pragma;

    IntegrityCheck(String pragma) {
        this.pragma = pragma;
    }

    /** The pragma run, or null for {@link #NONE}. */
    public String pragma() {
        return pragma;
    }

    /** Upstream's spelling: {@code none}, {@code quick} or {@code full}. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The check upstream's flag value names.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static IntegrityCheck ofFlag(String value) {
        for (IntegrityCheck c : values()) {
            if (c.flagValue().equals(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("invalid -integrity-check value: " + value + " (must be none, quick "
                + "or full)");
    }
}
