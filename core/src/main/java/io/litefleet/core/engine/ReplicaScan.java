package io.litefleet.core.engine;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.core.restore.LtxFileRef;
import io.litefleet.core.restore.ReplicaListing;
import io.litefleet.core.restore.RestorePlanner;
import io.litefleet.core.restore.RetryPolicy;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
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
     * The replica's highest TXID when it is {@code expected}, read with a LIST of level 0 (where every upload lands
     * and retention keeps the newest file) and of the snapshot level; any other answer lists every level to learn
     * the true highest TXID.
     */
    static long maxTxidExpecting(ReplicaTarget target, long expected) throws IOException {
        // The snapshot level too: a new chain uploads its snapshot before its level-0 file.
        if (expected > 0 && maxOf(target, 0) == expected && maxOf(target, RestorePlanner.SNAPSHOT_LEVEL) <= expected) {
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

    /** The header of the LTX file {@code min..max} at {@code level}, or empty when it is absent or unreadable. */
    static Optional<LtxHeader> header(ReplicaTarget target, int level, long min, long max) throws IOException {
        String key = target.key(level, min, max);
        try (InputStream in = RetryPolicy.DEFAULT.call(() -> target.client().get(key, 0, LtxHeader.SIZE))) {
            return Optional.of(LtxHeader.parse(in.readNBytes(LtxHeader.SIZE)));
        } catch (ReplicaException e) {
            if (e.failure() == ReplicaFailure.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        } catch (LtxFormatException e) {
            return Optional.empty(); // not a file we could have written
        }
    }
}
