package io.litefleet.api.replica;

import java.io.IOException;
import java.util.Objects;

/** A replica operation that failed, with the {@link ReplicaFailure} kind that retry logic acts on. */
public class ReplicaException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ReplicaFailure failure;

    /** Creates an exception of the given kind; the message names the destination and key. */
    public ReplicaException(ReplicaFailure failure, String message) {
        super(message);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** Creates an exception of the given kind, keeping the underlying cause. */
    public ReplicaException(ReplicaFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** The kind of failure. */
    public ReplicaFailure failure() {
        return failure;
    }

    /** Whether the same request may succeed later. */
    public boolean isRetryable() {
        return failure.isRetryable();
    }

    @Override
    public String getMessage() {
        return failure + ": " + super.getMessage();
    }
}
