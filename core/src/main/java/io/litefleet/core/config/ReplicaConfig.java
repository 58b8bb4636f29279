package io.litefleet.core.config;

import io.litefleet.api.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One database's replica, as configured.
 *
 * @param type         the backend type ({@code file}, {@code s3}, ...); from {@code type:} or the URL's scheme
 * @param url          the {@code url:} (or command-line URL), if given
 * @param backend      the backend's own keys ({@code path}, {@code bucket}, {@code region}, ...), for its provider
 * @param syncInterval how often changes are shipped
 * @param name         the destination's name among a database's replicas (Litestream's {@code name:}; by default its
 *                     type), for {@code restore -replica NAME} and messages
 * @param defaults     the file's top-level replica defaults (upstream's {@code bucket:}, {@code region:}, ... at the
 *                     top): each applies where the backend accepts that key and the section does not set it
 *                     ({@link ReplicaKeys#settings})
 * @param maxSyncFiles LTX files one sync uploads at most (upstream's {@code max-sync-ltx-files}), 0 for no limit
 */
public record ReplicaConfig(String type, Optional<URI> url, Settings backend, Duration syncInterval, String name,
                            Settings defaults, int maxSyncFiles) {
    /** Validates. */
    public ReplicaConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaults, "defaults");
        if (maxSyncFiles < 0) {
            throw new IllegalArgumentException("maxSyncFiles must be >= 0: " + maxSyncFiles);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(syncInterval, "syncInterval");
    }

    /** A replica named after its type, without top-level defaults. */
    public ReplicaConfig(String type, Optional<URI> url, Settings backend, Duration syncInterval) {
        this(type, url, backend, syncInterval, type, new Settings(backend.origin(), java.util.Map.of()), 0);
    }

    /** The same replica under another name. */
    public ReplicaConfig named(String n) {
        return new ReplicaConfig(type, url, backend, syncInterval, n, defaults, maxSyncFiles);
    }

    /** How {@code engine} streams to this replica: its sync interval and files per sync. */
    public io.litefleet.core.engine.EngineSettings engine(io.litefleet.core.engine.EngineSettings engine) {
        return engine.withSyncInterval(syncInterval).withMaxSyncFiles(maxSyncFiles);
    }

    /** The same replica at another URL (a directory-mode database's, under its entry's URL). */
    public ReplicaConfig withUrl(Optional<URI> u) {
        return new ReplicaConfig(type, u, backend, syncInterval, name, defaults, maxSyncFiles);
    }

    /** The same replica with other backend keys (a template's resolved {@code path}). */
    public ReplicaConfig withBackend(Settings b) {
        return new ReplicaConfig(type, url, b, syncInterval, name, defaults, maxSyncFiles);
    }
}
