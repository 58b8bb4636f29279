package io.litefleet.api.replica;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a replica holds under one key.
 *
 * @param key          the key relative to the client's root, with {@code /} separators
 * @param size         the object's size in bytes
 * @param lastModified when the store last wrote the object
 * @param metadata     user metadata; listings may leave it empty, {@link ReplicaClient#stat} fills it
 */
public record ObjectInfo(String key, long size, Instant lastModified, Map<String, String> metadata) {
    /** Validates the fields. */
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
        metadata = Map.copyOf(metadata);
    }

    /** Info without metadata. */
    public static ObjectInfo of(String key, long size, Instant lastModified) {
        return new ObjectInfo(key, size, lastModified, Map.of());
    }
}
