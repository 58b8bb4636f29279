package io.litefleet.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * When databases move between the hot and cold tiers, from {@code multi-db:}. The thresholds are also copied
 * into {@link #policy()}'s settings, so the tiering policy plugin reads them from its own section.
 *
 * @param hotIdleTimeout            {@code hot-idle-timeout}: a hot database unchanged this long is demoted
 * @param promoteIfModifiedWithin   {@code promote-if-modified-within}: a cold database whose file or {@code -wal}
 *                                  changed within this time is promoted
 * @param promoteIfAccessedMoreThan {@code promote-if-accessed-more-than}: a cold database with more accesses than
 *                                  this within the policy's window is promoted
 * @param policy                    {@code tiering-policy:}, the policy plugin and its settings
 */
public record TieringConfig(Duration hotIdleTimeout, Duration promoteIfModifiedWithin, int promoteIfAccessedMoreThan,
                            PluginSection policy) {
    /** Validates. */
    public TieringConfig {
        requirePositive(hotIdleTimeout, "hotIdleTimeout");
        requirePositive(promoteIfModifiedWithin, "promoteIfModifiedWithin");
        Objects.requireNonNull(policy, "policy");
        if (promoteIfAccessedMoreThan < 0) {
            throw new IllegalArgumentException("promoteIfAccessedMoreThan must be >= 0");
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
