package io.litefleet.core.restore;

import java.io.IOException;

/**
 * A restore could not produce a correct database: a replica file is invalid (the message names it), the result
 * failed verification, or the requested state is not in the replica. Nothing is left at the output path.
 */
public final class RestoreException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A failure with the given message. */
    public RestoreException(String message) {
        super(message);
    }

    /** A failure with the given message and cause. */
    public RestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
