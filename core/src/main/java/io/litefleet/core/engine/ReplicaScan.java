package io.litefleet.core.engine;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.ReplicaLayout;
import java.io.IOException;

/** Reads what a replica already holds, for a database we have no record of. */
final class ReplicaScan {
    private ReplicaScan() {
    }

    /** The highest TXID in any level of the replica, 0 when it is empty. One LIST per level. */
    static long maxTxid(ReplicaTarget target) throws IOException {
        long max = 0;
        for (int level = 0; level <= 9; level++) {
            for (ObjectInfo o : target.client().list(target.levelDir(level))) {
                var range = ReplicaLayout.parseFileName(o.key());
                if (range.isPresent()) {
                    max = Math.max(max, range.get().max());
                }
            }
        }
        return max;
    }
}
