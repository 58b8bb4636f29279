package io.litefleet.core.engine;

import java.io.IOException;

/**
 * The database file or its {@code -wal} now has another page size than the open connection's: the file was
 * overwritten in place by another database. The replicator opens it again, which starts a new restore chain.
 */
final class PageSizeMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    PageSizeMismatchException(String what, int found, int expected) {
        super(what + " has page size " + found + ", but the database was opened with " + expected
                + " (overwritten by another database?)");
    }

    /** Fails unless {@code found} is {@code expected}. */
    static void check(String what, int found, int expected) throws PageSizeMismatchException {
        if (found != expected) {
            throw new PageSizeMismatchException(what, found, expected);
        }
    }
}
