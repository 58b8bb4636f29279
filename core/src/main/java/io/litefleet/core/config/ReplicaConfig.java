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
 */
public record ReplicaConfig(String type, Optional<URI> url, Settings backend, Duration syncInterval, String name) {
    /** Validates. */
    public ReplicaConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(syncInterval, "syncInterval");
    }

    /** A replica named after its type. */
    public ReplicaConfig(String type, Optional<URI> url, Settings backend, Duration syncInterval) {
        this(type, url, backend, syncInterval, type);
    }

    /** The same replica under another name. */
    public ReplicaConfig named(String n) {
        return new ReplicaConfig(type, url, backend, syncInterval, n);
    }
}
