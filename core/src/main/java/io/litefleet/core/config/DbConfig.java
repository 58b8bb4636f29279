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
 */
public record DbConfig(Path path, List<ReplicaConfig> replicas, EngineSettings engine, String origin) {
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

    /** One database with one replica. */
    public DbConfig(Path path, ReplicaConfig replica, EngineSettings engine, String origin) {
        this(path, List.of(replica), engine, origin);
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
