package io.litefleet.core.engine;

import io.litefleet.core.restore.LtxFileRef;
import io.litefleet.core.restore.ReplicaListing;
import io.litefleet.core.restore.RetryPolicy;
import java.io.IOException;

/** Reads what a replica already holds, for a database we have no record of. */
final class ReplicaScan {
    private ReplicaScan() {
    }

    /** The highest TXID in any level of the replica, 0 when it is empty. One LIST per level. */
    static long maxTxid(ReplicaTarget target) throws IOException {
        return ReplicaListing.list(target, RetryPolicy.DEFAULT).stream().mapToLong(LtxFileRef::maxTxid).max()
                .orElse(0);
    }
}
