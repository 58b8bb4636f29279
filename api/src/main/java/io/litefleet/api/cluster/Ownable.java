package io.litefleet.api.cluster;

import java.util.Objects;

/**
 * Something one instance at a time may write: a database's replica location.
 *
 * @param location the replica location as the engine names it ({@code file:///backups/db}, {@code s3://bucket/a}),
 *                 the same on every instance for the same database; the coordinator derives its key from this
 * @param dbPath   the database file the location belongs to, for display only (who replicates what)
 */
public record Ownable(String location, String dbPath) {
    /** Validates. */
    public Ownable {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(dbPath, "dbPath");
        if (location.isBlank()) {
            throw new IllegalArgumentException("location must not be blank");
        }
    }

    /**
     * Checks a claim batch as {@link Coordinator#claim} requires: no location twice.
     *
     * @throws IllegalArgumentException naming the first repeated location
     */
    public static void requireDistinct(java.util.List<Ownable> batch) {
        java.util.Set<String> seen = java.util.HashSet.newHashSet(batch.size());
        for (Ownable o : batch) {
            if (!seen.add(o.location())) {
                throw new IllegalArgumentException("location claimed twice in one batch: " + o.location());
            }
        }
    }
}
