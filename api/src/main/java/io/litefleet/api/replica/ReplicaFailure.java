package io.litefleet.api.replica;

/** Why a replica operation failed; retry logic switches on this. */
public enum ReplicaFailure {
    /** The object or container does not exist. Not retryable. */
    NOT_FOUND(false),
    /** A conditional write found the object already there (or changed). Not retryable as is. */
    PRECONDITION_FAILED(false),
    /** The service asked us to slow down. Retryable with backoff. */
    THROTTLED(true),
    /** The service could not be reached or answered with a server error. Retryable. */
    UNAVAILABLE(true),
    /** Credentials were refused or lack permission. Not retryable without a config change. */
    AUTH(false),
    /** The request was malformed or the destination is misconfigured. Not retryable. */
    INVALID(false),
    /** Local or remote I/O failed in some other way (disk full, broken stream). Retryable. */
    IO(true),
    /**
     * This instance no longer owns the replica path (cluster mode: its session expired or was lost, by its own
     * monotonic clock), so it must not write there. Refused before any request. Not retryable: the write may only
     * be made again after the path is claimed again.
     */
    FENCED(false);

    private final boolean retryable;

    ReplicaFailure(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether the same request may succeed later without any change. */
    public boolean isRetryable() {
        return retryable;
    }
}
