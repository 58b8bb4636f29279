package io.litefleet.core.restore;

import java.util.List;
import io.litefleet.core.replica.LtxFileRef;

/**
 * The files to apply, in order, to rebuild a database. The first file is a snapshot (it starts from TXID 1 or is a
 * level-9 snapshot); each next file starts at or before the TXID after the previous one's last, so the chain has
 * no gap.
 *
 * @param files  the files in apply order; never empty
 * @param txid   the TXID of the state the plan produces
 */
public record RestorePlan(List<LtxFileRef> files, long txid) {
    /** Validates the chain. */
    public RestorePlan {
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one file");
        }
        if (!files.get(0).isSnapshot()) {
            throw new IllegalArgumentException("a plan must start with a snapshot: " + files.get(0));
        }
        long cur = files.get(0).maxTxid();
        for (LtxFileRef f : files.subList(1, files.size())) {
            if (f.minTxid() > cur + 1 || f.maxTxid() <= cur) {
                throw new IllegalArgumentException("plan is not a contiguous chain at " + f + " after TXID " + cur);
            }
            cur = f.maxTxid();
        }
        if (cur != txid) {
            throw new IllegalArgumentException("plan ends at TXID " + cur + ", not " + txid);
        }
    }
}
