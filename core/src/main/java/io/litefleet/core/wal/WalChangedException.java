package io.litefleet.core.wal;

import java.io.IOException;

/**
 * A frame returned earlier is no longer where it was: the WAL was restarted or truncated since, so its page
 * bytes can no longer be fetched. Continuity must be re-established by the caller.
 */
public final class WalChangedException extends IOException {
    /** Creates the exception with a message naming the frame and what was found instead. */
    public WalChangedException(String message) {
        super(message);
    }
}
