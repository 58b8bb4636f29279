package io.litefleet.api.cluster;

import java.io.IOException;

/** A request to the coordination service failed; the message names the service endpoint and the operation. */
public class CoordinationException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    /**
     * Creates an exception.
     *
     * @param retryable whether the same request may succeed later without a config change (unreachable, no quorum,
     *                  timeout) rather than never (authentication refused, a malformed answer)
     */
    public CoordinationException(boolean retryable, String message) {
        super(message);
        this.retryable = retryable;
    }

    /** As {@link #CoordinationException(boolean, String)}, keeping the underlying cause. */
    public CoordinationException(boolean retryable, String message, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether the same request may succeed later. */
    public boolean isRetryable() {
        return retryable;
    }
}
