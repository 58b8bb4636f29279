package io.litefleet.core.engine;

/**
 * What one {@link DbReplicator#sync()} did.
 *
 * @param txid         the TXID the replica holds afterwards
 * @param files        LTX files uploaded
 * @param pages        pages in those files
 * @param bytes        bytes uploaded
 * @param capture      whether continuity was lost and the current state was captured anew (delta or snapshot)
 * @param checkpointed whether a checkpoint ran
 */
public record SyncResult(long txid, int files, long pages, long bytes, boolean capture, boolean checkpointed) {
    /** Nothing happened. */
    static SyncResult idle(long txid) {
        return new SyncResult(txid, 0, 0, 0, false, false);
    }

    /**
     * Two destinations of one database added up, with the lower TXID: what every destination holds (several replicas
     * keep TXIDs of their own).
     */
    public static SyncResult lowest(SyncResult a, SyncResult b) {
        SyncResult sum = a.plus(b);
        return new SyncResult(Math.min(a.txid(), b.txid()), sum.files(), sum.pages(), sum.bytes(), sum.capture(),
                sum.checkpointed());
    }

    /** The two added up: the later TXID, files, pages and bytes summed, capture or checkpoint if either. */
    public SyncResult plus(SyncResult o) {
        return new SyncResult(o.txid, files + o.files, pages + o.pages, bytes + o.bytes, capture || o.capture,
                checkpointed || o.checkpointed);
    }
}
