package io.litefleet.core.engine;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.core.restore.LtxFileRef;
import io.litefleet.core.restore.ReplicaListing;
import io.litefleet.core.restore.RestorePlanner;
import io.litefleet.core.restore.RetryPolicy;
import java.io.IOException;
import java.util.List;

/** Reads what a replica holds before a database's first upload in this process. */
final class ReplicaScan {
    private ReplicaScan() {
    }

    /** The highest TXID in any level of the replica, 0 when it is empty. One LIST per level. */
    static long maxTxid(ReplicaTarget target) throws IOException {
        return ReplicaListing.list(target, RetryPolicy.DEFAULT).stream().mapToLong(LtxFileRef::maxTxid).max()
                .orElse(0);
    }

    /**
     * The replica's highest TXID when it is {@code expected}, read with one LIST of level 0 (where every upload
     * lands first and retention keeps the newest file); any other answer lists every level to learn the true
     * highest TXID.
     */
    static long maxTxidExpecting(ReplicaTarget target, long expected) throws IOException {
        if (maxOf(target, 0) == expected && expected > 0) {
            return expected;
        }
        long max = 0;
        for (int level = 0; level <= RestorePlanner.SNAPSHOT_LEVEL; level++) {
            max = Math.max(max, maxOf(target, level));
        }
        return max;
    }

    private static long maxOf(ReplicaTarget target, int level) throws IOException {
        String dir = target.levelDir(level);
        List<ObjectInfo> objects = RetryPolicy.DEFAULT.call(() -> target.client().list(dir));
        long max = 0;
        for (ObjectInfo o : objects) {
            max = Math.max(max, ReplicaListing.toRef(level, dir, o).map(LtxFileRef::maxTxid).orElse(0L));
        }
        return max;
    }
}
