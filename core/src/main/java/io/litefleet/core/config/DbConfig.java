package io.litefleet.core.config;

import io.litefleet.core.engine.EngineSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One database to replicate, as configured.
 *
 * @param path    absolute path of the database file
 * @param replica where it replicates
 * @param engine  how it is streamed (sync interval, checkpoint thresholds)
 * @param origin  where it was configured, for messages
 */
public record DbConfig(Path path, ReplicaConfig replica, EngineSettings engine, String origin) {
    /** Validates. */
    public DbConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(origin, "origin");
    }
}
