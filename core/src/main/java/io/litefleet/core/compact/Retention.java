package io.litefleet.core.compact;

import io.litefleet.core.replica.LtxFileRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which files retention deletes, decided from the index alone (no I/O), with upstream's rules:
 * <ul>
 * <li>snapshots created before {@code now - snapshotRetention} are deleted, except the newest
 *     ({@code DB.EnforceSnapshotRetention});</li>
 * <li>files of levels 1..max whose max TXID is below the oldest retained snapshot's max TXID are deleted, except
 *     each level's newest ({@code Compactor.EnforceRetentionByTXID}); nothing when there is no snapshot;</li>
 * <li>level-0 files older than {@code l0Retention} and covered by level 1 are deleted, scanning in TXID order and
 *     stopping at the first one too recent, so the kept ones stay contiguous; the newest is kept when the scan
 *     reached it ({@code DB.EnforceL0RetentionByTime}).</li>
 * </ul>
 * Upstream's {@code Store} passes the max TXID of the newest <em>deleted</em> snapshot to the TXID rule, keeping
 * some files no snapshot can reach; we use the oldest retained snapshot, which keeps every state a retained
 * snapshot can restore. Any subset of the deletions leaves a restorable replica, so a batch that fails halfway
 * loses nothing.
 *
 * @param deletions the files to delete, snapshots first, then levels 1..max, then level 0
 * @param nextCheck when the set may next grow by time alone ({@link Instant#MAX} if never without new files)
 */
record Retention(List<LtxFileRef> deletions, Instant nextCheck) {

    static Retention plan(ReplicaIndex index, CompactionSettings s, Instant now) {
        List<LtxFileRef> out = new ArrayList<>();
        Instant[] next = {Instant.MAX};
        long oldestSnapshot = snapshots(index, s, now, out, next);
        if (oldestSnapshot > 0) {
            for (int level = 1; level <= s.maxLevel(); level++) {
                List<LtxFileRef> files = index.level(level);
                for (LtxFileRef f : files.subList(0, Math.max(0, files.size() - 1))) {
                    if (f.maxTxid() < oldestSnapshot) {
                        out.add(f);
                    }
                }
            }
        }
        if (s.maxLevel() >= 1) {
            level0(index, s, now, out, next);
        }
        return new Retention(out, next[0]);
    }

    private static long snapshots(ReplicaIndex index, CompactionSettings s, Instant now, List<LtxFileRef> out,
            Instant[] next) {
        List<LtxFileRef> snaps = index.level(LtxFileRef.SNAPSHOT_LEVEL);
        Instant threshold = now.minus(s.snapshotRetention());
        long oldestKept = 0;
        for (int i = 0; i < snaps.size(); i++) {
            LtxFileRef f = snaps.get(i);
            boolean newest = i == snaps.size() - 1;
            if (!newest && f.createdAt().isBefore(threshold)) {
                out.add(f);
                continue;
            }
            oldestKept = oldestKept == 0 ? f.maxTxid() : Math.min(oldestKept, f.maxTxid());
            if (!newest) {
                next[0] = min(next[0], f.createdAt().plus(s.snapshotRetention()));
            }
        }
        return oldestKept;
    }

    private static void level0(ReplicaIndex index, CompactionSettings s, Instant now, List<LtxFileRef> out,
            Instant[] next) {
        if (s.l0Retention().isZero()) {
            return;
        }
        long covered = index.maxTxid(1);
        if (covered == 0) {
            return;
        }
        Instant threshold = now.minus(s.l0Retention());
        List<LtxFileRef> files = index.level(0);
        List<LtxFileRef> deleted = new ArrayList<>();
        boolean scannedAll = true;
        for (LtxFileRef f : files) {
            if (f.createdAt().isAfter(threshold)) {
                scannedAll = false;
                if (f.maxTxid() <= covered) {
                    next[0] = min(next[0], f.createdAt().plus(s.l0Retention()));
                }
                break;
            }
            if (f.maxTxid() <= covered) {
                deleted.add(f);
            }
        }
        if (scannedAll && !deleted.isEmpty() && deleted.get(deleted.size() - 1).equals(files.get(files.size() - 1))) {
            deleted.remove(deleted.size() - 1);
        }
        out.addAll(deleted);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
