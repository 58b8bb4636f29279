package io.litefleet.api.cluster;

import java.util.Objects;

/**
 * Who owns a location, as the coordination service has it ({@link Coordinator#owners}).
 *
 * @param location the replica location
 * @param dbPath   the database path the owner gave when it claimed the location
 * @param instance the owner's instance id
 * @param token    the owner's fencing token
 */
public record Owner(String location, String dbPath, String instance, long token) {
    /** Validates. */
    public Owner {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(dbPath, "dbPath");
        Objects.requireNonNull(instance, "instance");
    }
}
