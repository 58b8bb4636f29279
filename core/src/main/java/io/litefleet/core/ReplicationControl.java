package io.litefleet.core;

import io.litefleet.api.ConfigException;
import io.litefleet.core.control.ControlException;
import io.litefleet.core.control.ControlTarget;
import io.litefleet.core.engine.SyncResult;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.state.Catalog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The control socket's view of a running {@link Replication}. Listed databases ({@code dbs:} and registered ones)
 * take every command. Fleet databases (discovered under {@code multi-db:} patterns): {@code sync} ships now (a hot
 * one through its replicators, a cold one by a transient pass, which takes no hot slot), {@code list} shows them
 * with their tier, {@code register} of a path the fleet's patterns match answers {@code already_registered};
 * {@code start}, {@code stop} and {@code unregister} are refused (409), since the tiering policy decides when a
 * fleet database streams and the config's {@code exclude} stops one. Thread-safe.
 */
final class ReplicationControl implements ControlTarget {
    private final ListedDatabases listed;
    private final FleetManager fleet;
    private final Catalog catalog;
    private final java.time.Clock clock;

    ReplicationControl(ListedDatabases listed, FleetManager fleet, Catalog catalog, java.time.Clock clock) {
        this.listed = listed;
        this.fleet = fleet;
        this.catalog = catalog;
        this.clock = clock;
    }

    @Override
    public List<DatabaseSummary> databases() {
        List<DatabaseSummary> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ListedDatabases.State s : listed.states()) {
            seen.add(s.path().toString());
            out.add(new DatabaseSummary(s.path().toString(), s.running() ? "replicating" : "stopped", s.lastSync()));
        }
        if (fleet != null) {
            try {
                for (Catalog.DatabaseRow r : catalog.databases(null, null)) {
                    if (seen.add(r.path())) {
                        out.add(new DatabaseSummary(r.path(), r.tier(), Optional.of(r.lastSync())));
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    @Override
    public int databaseCount() {
        return listed.size() + (fleet == null ? 0 : fleet.status().known());
    }

    @Override
    public SyncOutcome sync(Path db, boolean wait, Duration timeout) throws ControlException {
        long before = txid(db);
        Optional<CompletableFuture<SyncResult>> f = listed.syncNow(db);
        if (f.isEmpty() && fleet != null) {
            f = fleet.syncNow(db);
        }
        if (f.isEmpty()) {
            throw ControlException.notFound(db);
        }
        SyncResult r = await(f.get(), timeout, db, "waiting for " + db + " to reach its replica (it keeps "
                + "replicating)");
        return new SyncOutcome(r.files() > 0 || r.txid() != before, r.txid(), r.txid());
    }

    @Override
    public SnapshotOutcome snapshot(Path db, Duration timeout) throws ControlException {
        Optional<List<io.litefleet.core.compact.Maintenance>> ms = listed.maintenance(db);
        if (ms.isEmpty()) {
            Optional<CompletableFuture<Integer>> f = fleet == null ? Optional.empty() : fleet.snapshotNow(db);
            if (f.isEmpty()) {
                throw ControlException.notFound(db);
            }
            int written = await(f.get(), timeout, db, "waiting for the snapshot of " + db + " (it goes on)");
            return new SnapshotOutcome(txid(db), written);
        }
        long txid = sync(db, true, timeout).txid();
        try {
            return new SnapshotOutcome(txid, io.litefleet.core.compact.Maintenance.snapshotNow(ms.get(), clock));
        } catch (IOException e) {
            throw new ControlException(500, db + ": snapshot failed: " + e.getMessage());
        }
    }

    @Override
    public long txid(Path db) throws ControlException {
        try {
            if (listed.contains(db)) {
                return listed.txid(db);
            }
            if (fleet != null && fleet.manages(db)) {
                return catalog.get(db.toString()).map(p -> p.txid()).orElse(0L);
            }
        } catch (IOException e) {
            throw new ControlException(500, db + ": " + e.getMessage());
        }
        throw ControlException.notFound(db);
    }

    @Override
    public StateChange start(Path db, Duration timeout) throws ControlException {
        Optional<Boolean> started = listed.start(db);
        if (started.isEmpty()) {
            throw unlisted(db, "start");
        }
        return new StateChange(started.get() ? "started" : "already_running", txid(db));
    }

    @Override
    public StateChange stop(Path db, Duration timeout) throws ControlException {
        Optional<CompletableFuture<Boolean>> stopped = listed.stop(db);
        if (stopped.isEmpty()) {
            throw unlisted(db, "stop");
        }
        boolean was = await(stopped.get(), timeout, db, "waiting for the final sync of " + db + " (replication of it "
                + "is stopped; the final sync goes on)");
        return new StateChange(was ? "stopped" : "already_stopped", txid(db));
    }

    @Override
    public String register(Path db, String replicaUrl) throws ControlException {
        if (fleet != null && !listed.contains(db) && fleet.manages(db)) {
            return "already_registered"; // the fleet's patterns match it: fleet mode replicates it
        }
        try {
            return listed.register(db, replicaUrl) ? "registered" : "already_registered";
        } catch (ConfigException e) {
            throw new ControlException(400, "invalid replica url: " + e.getMessage());
        } catch (IOException e) {
            throw new ControlException(409, "failed to register database: " + e.getMessage());
        }
    }

    @Override
    public StateChange unregister(Path db, Duration timeout) throws ControlException {
        long txid = listed.contains(db) ? txid(db) : 0;
        Optional<CompletableFuture<Boolean>> gone = listed.unregister(db);
        if (gone.isEmpty()) {
            if (fleet != null && fleet.manages(db)) {
                throw fleetOnly(db, "unregister");
            }
            return new StateChange("already_unregistered", 0);
        }
        await(gone.get(), timeout, db, "waiting for the final sync of " + db + " (it is unregistered; the final "
                + "sync goes on)");
        return new StateChange("unregistered", Math.max(txid, txidAfter(db, txid)));
    }

    /** The TXID the catalog holds for an unregistered database (its final sync may have shipped more). */
    private long txidAfter(Path db, long before) {
        try {
            return catalog.get(db.toString()).map(p -> p.txid()).orElse(before);
        } catch (IOException e) {
            return before;
        }
    }

    private ControlException unlisted(Path db, String what) {
        if (fleet != null && fleet.manages(db)) {
            return fleetOnly(db, what);
        }
        return ControlException.notFound(db);
    }

    private static ControlException fleetOnly(Path db, String what) {
        return new ControlException(409, db + " is a fleet database (multi-db: patterns): its tiering policy "
                + "decides when it streams, so '" + what + "' does not apply; list it under 'exclude' in the "
                + "config to stop replicating it, or under dbs: to control it by hand");
    }

    private static <T> T await(CompletableFuture<T> f, Duration timeout, Path db, String what)
            throws ControlException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ControlException(504, "timed out after " + timeout.toSeconds() + " s " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(503, "the daemon is shutting down");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IllegalStateException && String.valueOf(c.getMessage()).startsWith("database not open")) {
                throw new ControlException(409, c.getMessage());
            }
            throw new ControlException(500, "sync database: " + (c.getMessage() == null ? c.toString()
                    : c.getMessage()));
        }
    }
}
