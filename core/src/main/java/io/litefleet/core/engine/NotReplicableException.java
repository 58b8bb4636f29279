package io.litefleet.core.engine;

import java.io.IOException;

/**
 * The database cannot be replicated as it is (missing, not a SQLite database, not in WAL mode). The message names
 * the file and says what to do; retrying without a change will not help.
 */
public final class NotReplicableException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; the message is shown to users as it is. */
    public NotReplicableException(String message) {
        super(message);
    }
}
