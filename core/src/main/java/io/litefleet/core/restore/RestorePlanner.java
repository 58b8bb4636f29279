package io.litefleet.core.restore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import io.litefleet.core.replica.LtxFileRef;

/**
 * Chooses the fewest LTX files that rebuild a database at a target: the newest snapshot within the target, then,
 * repeatedly, the file that continues the chain without a gap and reaches furthest (ties: the larger level,
 * whose files are fewer). Reaching furthest at every step is optimal for covering a TXID interval, so the plan
 * has the fewest files. Pure function; thread-safe.
 */
public final class RestorePlanner {
    private RestorePlanner() {
    }

    /**
     * Plans a restore.
     *
     * @param files  every LTX file the replica lists, any level, any order
     * @param target what to restore
     * @return the plan, or empty when no state within the target exists (nothing replicated yet, or the target is
     *         older than the oldest retained snapshot)
     * @throws RestoreGapException for a latest-state restore when newer files exist that cannot be reached
     *         without a gap (a replica missing files): restoring silently to an older state would lose
     *         transactions
     */
    public static Optional<RestorePlan> plan(Collection<LtxFileRef> files, RestoreTarget target) {
        List<LtxFileRef> admitted = files.stream().filter(target::admits).toList();
        Optional<LtxFileRef> start = admitted.stream()
                .filter(LtxFileRef::isSnapshot)
                .max(Comparator.comparingLong(LtxFileRef::maxTxid)
                        .thenComparingInt(LtxFileRef::level));
        if (start.isEmpty()) {
            return Optional.empty();
        }
        List<LtxFileRef> chain = new ArrayList<>();
        chain.add(start.get());
        long cur = start.get().maxTxid();
        while (true) {
            long reached = cur;
            Optional<LtxFileRef> next = admitted.stream()
                    .filter(f -> f.minTxid() <= reached + 1 && f.maxTxid() > reached)
                    .max(Comparator.comparingLong(LtxFileRef::maxTxid)
                            .thenComparing(Comparator.comparingLong(LtxFileRef::minTxid).reversed())
                            .thenComparingInt(LtxFileRef::level));
            if (next.isEmpty()) {
                break;
            }
            chain.add(next.get());
            cur = next.get().maxTxid();
        }
        if (target instanceof RestoreTarget.Latest) {
            long end = cur;
            Optional<LtxFileRef> beyond = files.stream().filter(f -> f.maxTxid() > end)
                    .min(Comparator.comparingLong(LtxFileRef::minTxid));
            if (beyond.isPresent()) {
                throw new RestoreGapException(end, beyond.get());
            }
        }
        return Optional.of(new RestorePlan(chain, cur));
    }
}
