package io.litefleet.api.replica;

import java.util.Map;

/**
 * How to write an object.
 *
 * @param ifAbsent write only if no object exists under the key; otherwise fail with
 *                 {@link ReplicaFailure#PRECONDITION_FAILED}
 * @param metadata user metadata stored with the object where the backend supports it (S3 stores
 *                 {@code litestream-timestamp} this way); backends without metadata ignore it
 */
public record PutOptions(boolean ifAbsent, Map<String, String> metadata) {
    /** Plain overwrite without metadata. */
    public static final PutOptions DEFAULT = new PutOptions(false, Map.of());

    /** Copies the metadata. */
    public PutOptions {
        metadata = Map.copyOf(metadata);
    }

    /** Conditional create without metadata. */
    public static PutOptions createOnly() {
        return new PutOptions(true, Map.of());
    }

    /** Options with the given metadata. */
    public PutOptions withMetadata(Map<String, String> more) {
        return new PutOptions(ifAbsent, more);
    }
}
