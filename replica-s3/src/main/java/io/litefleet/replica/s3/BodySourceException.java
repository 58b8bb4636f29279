package io.litefleet.replica.s3;

import java.io.IOException;

/**
 * The bytes to upload could not be read from their {@link io.litefleet.api.replica.ObjectBody}, or were not as long
 * as it declared: a local failure ({@link io.litefleet.api.replica.ReplicaFailure#IO}), not the store's.
 */
final class BodySourceException extends IOException {
    private static final long serialVersionUID = 1L;

    BodySourceException(String message) {
        super(message);
    }

    BodySourceException(String message, IOException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
