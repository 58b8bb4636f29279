package io.litefleet.core.replica;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.ReplicaLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Lists the LTX files of one database's replica, with one LIST of the prefix all levels share: every level from 0 to {@link LtxFileRef#SNAPSHOT_LEVEL},
 * one {@code list} request per level. Objects that are not LTX files directly inside a level directory (temp
 * files, foreign objects, deeper keys, names with an invalid TXID range) are skipped, as upstream skips them.
 * A file's {@link LtxFileRef#createdAt()} is what the store reports ({@link ObjectInfo#createdAt()}): exact where
 * the store kept Litestream's timestamp, otherwise the upload time; restore's {@code TimestampResolver} makes it precise.
 * Stateless; thread-safe.
 */
public final class ReplicaListing {
    private ReplicaListing() {
    }

    /**
     * Lists every LTX file of {@code source}, level by level, each level sorted by key.
     *
     * @param retry how to retry retryable listing failures
     * @throws IOException when a listing fails after retries
     */
    public static List<LtxFileRef> list(ReplicaTarget source, RetryPolicy retry) throws IOException {
        List<ObjectInfo> objects = retry.call(() -> source.client().list(root(source)));
        List<LtxFileRef> refs = new ArrayList<>();
        for (int level = 0; level <= LtxFileRef.SNAPSHOT_LEVEL; level++) {
            String dir = source.levelDir(level);
            for (ObjectInfo o : objects) {
                if (o.key().startsWith(dir)) {
                    toRef(level, dir, o).ifPresent(refs::add);
                }
            }
        }
        return List.copyOf(refs);
    }

    /**
     * The longest prefix every level directory of {@code source} shares ({@code <path>/ltx/} or {@code <path>/000}):
     * one LIST of it sees every level, where a LIST per level costs ten requests. Keys under it that are not LTX
     * files of a level (another database's replica nested below, stray objects) are left out by {@link #toRef}.
     */
    public static String root(ReplicaTarget source) {
        String common = source.levelDir(0);
        for (int level = 1; level <= LtxFileRef.SNAPSHOT_LEVEL; level++) {
            String dir = source.levelDir(level);
            int n = 0;
            while (n < common.length() && n < dir.length() && common.charAt(n) == dir.charAt(n)) {
                n++;
            }
            common = common.substring(0, n);
        }
        return common;
    }

    /** The ref for one listed object, or empty when it is not an LTX file of this level. */
    public static Optional<LtxFileRef> toRef(int level, String dir, ObjectInfo o) {
        if (!o.key().startsWith(dir) || o.key().indexOf('/', dir.length()) >= 0) {
            return Optional.empty();
        }
        Optional<ReplicaLayout.TxidRange> range;
        try {
            range = ReplicaLayout.parseFileName(o.key());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a name like 0000000000000000-...: not something Litestream writes
        }
        if (range.isEmpty() || range.get().min() < 1 || range.get().max() < range.get().min()) {
            return Optional.empty(); // TXIDs past 2^63 do not occur; treat them as foreign
        }
        return Optional.of(new LtxFileRef(level, range.get().min(), range.get().max(), o.createdAt(), o.size()));
    }
}
