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

    /**
     * When the object's content was created: the {@link PutOptions#TIMESTAMP} metadata entry when the store kept
     * one that parses, otherwise {@link #lastModified()} (which backends without metadata set from that entry).
     */
    public Instant createdAt() {
        String ts = metadata.get(PutOptions.TIMESTAMP);
        if (ts != null) {
            try {
                return java.time.OffsetDateTime.parse(ts).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                return lastModified;
            }
        }
        return lastModified;
    }

    /** Info without metadata. */
    public static ObjectInfo of(String key, long size, Instant lastModified) {
        return new ObjectInfo(key, size, lastModified, Map.of());
    }
}
