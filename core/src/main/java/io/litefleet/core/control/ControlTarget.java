package io.litefleet.core.control;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the control socket controls: the replication running in this process. Paths are absolute and normalized
 * before they reach it. Implementations are thread-safe; a call may block up to its {@code timeout}.
 */
public interface ControlTarget {
    /** Every database replicated, listed or discovered, in a stable order. */
    List<DatabaseSummary> databases();

    /** How many databases {@link #databases()} would list, without building the list. */
    int databaseCount();

    /**
     * Ships what {@code db} has committed now and returns once every replica of it holds that ({@code wait}), or
     * once the sync ran without waiting for a retry after a failure ({@code !wait}; our sync has no local stage, so
     * both wait for the upload).
     *
     * @throws ControlException 404 unknown database, 409 replication of it stopped, 504 timed out, 500 it failed
     */
    SyncOutcome sync(Path db, boolean wait, Duration timeout) throws ControlException;

    /**
     * Ships what {@code db} has committed, then writes a snapshot of that state to every replica of it now
     * ({@code litefleet snapshot}).
     *
     * @throws ControlException 404 unknown database, 409 not possible for it now, 504 timed out, 500 it failed
     */
    default SnapshotOutcome snapshot(Path db, Duration timeout) throws ControlException {
        throw new ControlException(501, "this daemon cannot take snapshots on request");
    }

    /**
     * What a snapshot request did.
     *
     * @param txid      the TXID the snapshots hold (the lowest over several replicas)
     * @param snapshots snapshot files written (0 when the newest snapshot already held that state)
     */
    record SnapshotOutcome(long txid, int snapshots) {
    }

    /** The TXID the replica of {@code db} holds. */
    long txid(Path db) throws ControlException;

    /** Starts replicating a stopped database ({@code already_running} when it runs). */
    StateChange start(Path db, Duration timeout) throws ControlException;

    /** Stops replicating {@code db} after its final sync ({@code already_stopped} when it is stopped). */
    StateChange stop(Path db, Duration timeout) throws ControlException;

    /** Adds {@code db} replicating to {@code replicaUrl} ({@code already_registered} when it is replicated). */
    String register(Path db, String replicaUrl) throws ControlException;

    /**
     * Stops replicating {@code db} after its final sync and forgets it ({@code already_unregistered} when unknown).
     */
    StateChange unregister(Path db, Duration timeout) throws ControlException;

    /**
     * One database as {@code list} shows it.
     *
     * @param path       the database
     * @param status     {@code replicating}, {@code stopped}; in fleet mode {@code hot}, {@code cold},
     *                   {@code deleted} or {@code excluded}
     * @param lastSyncAt the last successful sync to its replica, if any
     */
    record DatabaseSummary(String path, String status, Optional<Instant> lastSyncAt) {
    }

    /**
     * What a sync did.
     *
     * @param changed        whether it shipped something
     * @param txid           the TXID the replica holds now (the lowest over several replicas)
     * @param replicatedTxid the same: there is no local stage that could be ahead of the replica
     */
    record SyncOutcome(boolean changed, long txid, long replicatedTxid) {
    }

    /**
     * What a start, stop or unregister did.
     *
     * @param status upstream's status word ({@code started}, {@code already_running}, {@code stopped}, ...)
     * @param txid   the TXID the replica holds
     */
    record StateChange(String status, long txid) {
    }
}
