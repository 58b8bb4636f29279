package io.litefleet.core.engine;

import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.ReplicaPosition;
import java.io.IOException;
import java.util.Optional;

/**
 * What a replica holds compared with the catalog's record, checked before a process first uploads for a database:
 * a replica written by another database or process, emptied, or missing files must never be continued as if it held
 * our history. A position recorded by this process needs no request; otherwise one LIST of the replica (every level)
 * confirms it. A new chain never reuses a TXID: it follows both the replica's and the record's highest.
 *
 * <p><b>Takeover</b> (cluster mode: the target's fence has a token). When this state directory has no record of a
 * non-empty replica, or a record older than what the replica holds, another instance owned the path before us. The
 * replica's last level-0 file may still prove that our WAL continues it: {@link #adopt} reads its header (one ranged
 * GET) and hands it to the replicator, which continues the TXIDs only if the header's WAL salts are the current
 * {@code -wal}'s and its WAL segment ends on a commit boundary the frame scan reaches (SQLite never rewrites frames
 * within one salt generation, so the frames up to there are the ones the other instance shipped). Otherwise the
 * current state is captured as a new chain, as without a cluster.
 *
 * @param continues whether the recorded position is what the replica ends with (or, with {@code ownEnd}, our own
 *                  unrecorded upload right after it), at today's page size
 * @param lastTxid  the TXID a capture follows: the highest of the replica's and the record's
 * @param ownEnd    when positive, the replica's last file is our own upload of the WAL up to this offset
 * @param why       why the current state must be captured, when it does not continue
 * @param adopt     in cluster mode, the header of the replica's last file when it is a level-0 WAL upload at
 *                  {@code lastTxid} that another instance may have written: the replicator continues after it if
 *                  its WAL proves continuity, and captures ({@code why}) otherwise
 */
record ReplicaCheck(boolean continues, long lastTxid, long ownEnd, String why, Optional<LtxHeader> adopt) {

    /** Checks {@code target} against {@code row} (the record of {@code dbPath}, if any) at today's page size. */
    static ReplicaCheck of(ReplicaTarget target, Catalog catalog, String dbPath, Optional<ReplicaPosition> row,
                           int pageSize) throws IOException {
        if (row.isEmpty()) {
            long max = ReplicaScan.maxTxid(target);
            return max == 0 ? capture(0, "first replication") : adoptOr(target, max, pageSize, String.format("the "
                    + "replica holds TXID %x, which this state directory has no record of: starting a new restore "
                    + "chain", max));
        }
        ReplicaPosition r = row.get();
        // A record of this run proves the replica ends there only when nobody else may have written it since: in
        // cluster mode another instance may have owned the path in between (a move, a lapsed session), so LIST.
        boolean onlyUs = catalog.recordedThisRun(dbPath, r.replica()) && target.fence().token() == 0;
        long max = onlyUs ? r.txid() : ReplicaScan.maxTxid(target);
        Optional<LtxHeader> own = max == r.txid() + 1 && r.pageSize() == pageSize ? ownNext(target, r)
                : Optional.empty();
        if (own.isPresent()) {
            return new ReplicaCheck(true, r.txid(), own.get().walOffset() + own.get().walSize(), "",
                    Optional.empty());
        }
        long last = Math.max(max, r.txid());
        if (max == 0) {
            return capture(last, String.format("the replica is empty although TXID %x was shipped to it (deleted?): "
                    + "starting a new restore chain", r.txid()));
        }
        if (max != r.txid()) {
            String why = String.format("the replica %s TXID %x, but this state directory recorded TXID %x (%s): "
                    + "starting a new restore chain", max > r.txid() ? "holds" : "ends at", max, r.txid(),
                    max > r.txid() ? "written by another database or process?" : "files removed?");
            return max > r.txid() ? adoptOr(target, max, pageSize, why) : capture(last, why);
        }
        if (r.pageSize() != pageSize) {
            return capture(last, String.format("the page size changed from %d to %d: starting a new restore chain",
                    r.pageSize(), pageSize));
        }
        return new ReplicaCheck(true, last, 0, "", Optional.empty());
    }

    /** A check that captures after {@code lastTxid}, for {@code why}. */
    private static ReplicaCheck capture(long lastTxid, String why) {
        return new ReplicaCheck(false, lastTxid, 0, why, Optional.empty());
    }

    /**
     * In cluster mode, a takeover candidate: the replica, which ends at {@code max} past anything recorded here, may
     * be continued from its last level-0 file if that is a WAL upload at today's page size (one ranged GET). Without
     * a cluster, or without such a file, a capture for {@code why}.
     */
    private static ReplicaCheck adoptOr(ReplicaTarget target, long max, int pageSize, String why) throws IOException {
        if (target.fence().token() == 0) {
            return capture(max, why);
        }
        Optional<LtxHeader> last = ReplicaScan.header(target, 0, max, max)
                .filter(h -> h.walOffset() > 0 && h.pageSize() == pageSize);
        return new ReplicaCheck(false, max, 0, last.isPresent() ? why : why + " (its last file is no level-0 WAL "
                + "upload at this page size, so nothing proves that this WAL continues it)", last);
    }

    /**
     * The header of the level-0 file after the recorded TXID when it is our own WAL upload continuing the recorded
     * position (its header names the WAL offset and salts the record ends at): one ranged GET.
     */
    private static Optional<LtxHeader> ownNext(ReplicaTarget target, ReplicaPosition r) throws IOException {
        return ReplicaScan.header(target, 0, r.txid() + 1, r.txid() + 1).filter(h -> h.walOffset() > 0
                && h.walOffset() == r.wal().offset() && h.walSalt1() == r.wal().salt1()
                && h.walSalt2() == r.wal().salt2() && h.pageSize() == r.pageSize());
    }

    /** This check with the replica found not to continue after all, following {@code lastTxid}. */
    ReplicaCheck broken(long lastTxid, String why) {
        return capture(lastTxid, why);
    }
}
