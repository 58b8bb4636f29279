package io.litefleet.core.config;

import io.litefleet.core.engine.EngineSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One database to replicate, as configured.
 *
 * @param path    absolute path of the database file
 * @param replicas where it replicates: one or more destinations, each with its own position, retries and
 *                 compaction (Litestream's {@code replicas:} list), names unique
 * @param engine  how it is streamed (sync interval, checkpoint thresholds)
 * @param origin  where it was configured, for messages
 * @param restoreIfNotExists Litestream's {@code restore-if-db-not-exists}: {@code replicate} restores the file from
 *                 its replica before starting when it does not exist
 */
public record DbConfig(Path path, List<ReplicaConfig> replicas, EngineSettings engine, String origin,
                       boolean restoreIfNotExists) {
    /** Validates. */
    public DbConfig {
        Objects.requireNonNull(path, "path");
        replicas = List.copyOf(replicas);
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException(path + ": no replica");
        }
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(origin, "origin");
    }

    /** A database not restored at start. */
    public DbConfig(Path path, List<ReplicaConfig> replicas, EngineSettings engine, String origin) {
        this(path, replicas, engine, origin, false);
    }

    /** One database with one replica. */
    public DbConfig(Path path, ReplicaConfig replica, EngineSettings engine, String origin) {
        this(path, List.of(replica), engine, origin);
    }

    /** This database, restored at start when missing or not. */
    public DbConfig withRestoreIfNotExists(boolean restore) {
        return new DbConfig(path, replicas, engine, origin, restore);
    }

    /** The first (or only) destination. */
    public ReplicaConfig replica() {
        return replicas.get(0);
    }

    /** The destination named {@code name}, if any. */
    public java.util.Optional<ReplicaConfig> replica(String name) {
        return replicas.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
