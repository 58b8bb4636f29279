package io.litefleet.core.compact;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * What one database's replica holds, per level, as far as this process knows: loaded from one LIST and
 * kept up to date by whoever writes or deletes files. Files of a level are ordered by (min, max) TXID. Not
 * thread-safe; {@link Maintenance} guards it.
 */
final class ReplicaIndex {
    private static final Comparator<LtxFileRef> ORDER = Comparator.comparingLong(LtxFileRef::minTxid)
            .thenComparingLong(LtxFileRef::maxTxid);

    private final List<TreeSet<LtxFileRef>> levels = new ArrayList<>();

    ReplicaIndex() {
        for (int i = 0; i <= LtxFileRef.SNAPSHOT_LEVEL; i++) {
            levels.add(new TreeSet<>(ORDER));
        }
    }

    /**
     * Lists {@code levelNumbers} of the target's replica with one LIST of the prefix every level shares; other levels
     * stay empty.
     */
    static ReplicaIndex load(ReplicaTarget target, int... levelNumbers) throws ReplicaException {
        ReplicaIndex idx = new ReplicaIndex();
        List<ObjectInfo> objects = target.client().list(ReplicaListing.root(target));
        for (int level : levelNumbers) {
            String dir = target.levelDir(level);
            for (ObjectInfo o : objects) {
                // Only files under the exact names we write: compaction deletes by that name.
                if (o.key().startsWith(dir)) {
                    ReplicaListing.toRef(level, dir, o)
                            .filter(f -> o.key().equals(target.key(level, f.minTxid(), f.maxTxid())))
                            .ifPresent(idx::add);
                }
            }
        }
        return idx;
    }

    void add(LtxFileRef f) {
        TreeSet<LtxFileRef> set = levels.get(f.level());
        set.remove(f);
        set.add(f);
    }

    void addAll(Collection<LtxFileRef> files) {
        files.forEach(this::add);
    }

    void remove(LtxFileRef f) {
        levels.get(f.level()).remove(f);
    }

    /** The files of {@code level}, ordered by TXID. */
    List<LtxFileRef> level(int level) {
        return List.copyOf(levels.get(level));
    }

    /** Every file of every level. */
    List<LtxFileRef> all() {
        List<LtxFileRef> out = new ArrayList<>();
        levels.forEach(out::addAll);
        return out;
    }

    /** The largest max TXID of {@code level}, 0 when it is empty. */
    long maxTxid(int level) {
        long max = 0;
        for (LtxFileRef f : levels.get(level)) {
            max = Math.max(max, f.maxTxid());
        }
        return max;
    }

    /** The largest max TXID of any level, 0 when the replica is empty. */
    long maxTxid() {
        long max = 0;
        for (int l = 0; l < levels.size(); l++) {
            max = Math.max(max, maxTxid(l));
        }
        return max;
    }
}
