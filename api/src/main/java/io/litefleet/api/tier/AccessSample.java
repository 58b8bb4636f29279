package io.litefleet.api.tier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What is known about one database's activity at the moment a policy is asked.
 *
 * @param tier             its current tier
 * @param sinceLastChange  time since its database or {@code -wal} last changed
 * @param sinceLastPromote time since it last became hot ({@link Duration#ZERO} if never)
 * @param recentAccesses   changes observed within the policy's window
 * @param path             the database file's absolute path, so a policy can treat databases by name (a tenant
 *                         allow-list, a directory kept hot); {@code null} only in samples made with the
 *                         four-argument constructor, which predates it (a policy must then decide without it)
 */
public record AccessSample(Tier tier, Duration sinceLastChange, Duration sinceLastPromote, int recentAccesses,
                           Path path) {
    /** Validates. */
    public AccessSample {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(sinceLastChange, "sinceLastChange");
        Objects.requireNonNull(sinceLastPromote, "sinceLastPromote");
        if (recentAccesses < 0) {
            throw new IllegalArgumentException("recentAccesses must be >= 0");
        }
        if (path != null && !path.isAbsolute()) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
    }

    /** A sample without the database's path, as before {@link #path()} existed (kept for source compatibility). */
    public AccessSample(Tier tier, Duration sinceLastChange, Duration sinceLastPromote, int recentAccesses) {
        this(tier, sinceLastChange, sinceLastPromote, recentAccesses, null);
    }
}
