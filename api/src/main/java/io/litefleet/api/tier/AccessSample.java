package io.litefleet.api.tier;

import java.time.Duration;
import java.util.Objects;

/**
 * What is known about one database's activity at the moment a policy is asked.
 *
 * @param tier             its current tier
 * @param sinceLastChange  time since its database or {@code -wal} last changed
 * @param sinceLastPromote time since it last became hot ({@link Duration#ZERO} if never)
 * @param recentAccesses   changes observed within the policy's window
 */
public record AccessSample(Tier tier, Duration sinceLastChange, Duration sinceLastPromote, int recentAccesses) {
    /** Validates. */
    public AccessSample {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(sinceLastChange, "sinceLastChange");
        Objects.requireNonNull(sinceLastPromote, "sinceLastPromote");
        if (recentAccesses < 0) {
            throw new IllegalArgumentException("recentAccesses must be >= 0");
        }
    }
}
