package io.litefleet.core.compact;

import java.io.IOException;

/**
 * An input of a merge has a lower fencing token than an earlier input ({@link io.litefleet.core.ltx.TokenOrder}):
 * it was written by a stale owner, so it is never merged with the files before it; {@link Maintenance} compacts
 * only those, and the owner's next upload of that TXID replaces the stale file.
 */
public final class StaleTokenException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int index;

    /** Input {@code index} has {@code token}, below the earlier inputs' {@code earlier}. */
    public StaleTokenException(int index, long token, long earlier) {
        super("input " + index + " was written with fencing token " + Long.toUnsignedString(token) + " after an "
                + "earlier input's " + Long.toUnsignedString(earlier) + ": a stale owner's file");
        this.index = index;
    }

    /** The first stale input (0 when the first input already is, against an earlier token the caller gave). */
    public int index() {
        return index;
    }
}
