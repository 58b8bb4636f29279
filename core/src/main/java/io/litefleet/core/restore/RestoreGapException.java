package io.litefleet.core.restore;

import io.litefleet.core.replica.LtxFileRef;

/**
 * The replica holds transactions that cannot be reached from its snapshots without a gap. Restoring the latest
 * state would silently lose them, so restore refuses; {@code -txid} can still restore up to {@link #reached()}.
 */
public final class RestoreGapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long reached;

    RestoreGapException(long reached, LtxFileRef beyond) {
        super(String.format("replica has a gap: the chain from the newest snapshot reaches TXID %016x, but %s "
                + "follows it; restore with -txid %x to accept the older state", reached, beyond, reached));
        this.reached = reached;
    }

    /** The last TXID reachable without a gap. */
    public long reached() {
        return reached;
    }
}
