package io.litefleet.core.metric;

import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetStatus;
import io.litefleet.core.replica.RequestCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code /metrics} shows: upstream Litestream v0.5.16's {@code litestream_*} families under their names, types
 * and labels, and Litefleet's own {@code litefleet_*}. Databases listed under {@code dbs:} get upstream's
 * per-database series ({@code db} label: the path, as upstream labels them); a fleet's databases are added up into
 * series without a {@code db} label, so the series stay bounded whatever the fleet's size. Replica operations are
 * labelled by backend type, operation and failure kind, closed sets. Everything is read at scrape time from live
 * counters; nothing is kept per scrape. Thread-safe.
 */
public final class ReplicationMetrics {
    private final List<Listed> listed;
    private final Optional<FleetManager> fleet;
    private final Supplier<List<RequestCounters>> requests;

    /**
     * One database listed under {@code dbs:}.
     *
     * @param db       its path
     * @param replicas its replicators by replica name, in configuration order
     * @param stats    the counters its replicators share
     */
    public record Listed(Path db, Map<String, DbReplicator> replicas, DbStats stats) {
        /** Validates. */
        public Listed {
            Objects.requireNonNull(db, "db");
            replicas = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(replicas));
            Objects.requireNonNull(stats, "stats");
        }
    }

    /** Metrics of {@code listed}, the fleet (if any) and the destinations' request counters. */
    public ReplicationMetrics(List<Listed> listed, Optional<FleetManager> fleet,
                              Supplier<List<RequestCounters>> requests) {
        this.listed = List.copyOf(listed);
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.requests = Objects.requireNonNull(requests, "requests");
    }

    /** The text of one scrape. */
    public String scrape() {
        Exposition e = new Exposition();
        List<RequestCounters> destinations = requests.get();
        databases(e);
        syncs(e);
        checkpoints(e);
        operations(e, destinations);
        ours(e, destinations);
        return e.text();
    }

    private void databases(Exposition e) {
        e.family("litestream_db_size", "gauge", "The current size of the real DB");
        listed.forEach(l -> e.sample("litestream_db_size", size(l.db()), "db", l.db().toString()));
        e.family("litestream_wal_size", "gauge", "The current size of the real WAL");
        listed.forEach(l -> e.sample("litestream_wal_size", size(Path.of(l.db() + "-wal")), "db", l.db().toString()));
        e.family("litestream_txid", "gauge", "The current transaction ID (the lowest any of the database's replicas "
                + "holds)");
        listed.forEach(l -> e.sample("litestream_txid", l.replicas().values().stream()
                .mapToLong(DbReplicator::txid).min().orElse(0), "db", l.db().toString()));
        e.family("litestream_disk_full", "gauge", "Whether replication is paused because the local disk is full "
                + "(always 0: Litefleet keeps no local copy to fill a disk with)");
        listed.forEach(l -> e.sample("litestream_disk_full", 0, "db", l.db().toString()));
        e.family("litestream_compaction_verify_error_count", "counter", "Number of post-compaction verification "
                + "failures (verify-compaction is not offered: always 0)");
        listed.forEach(l -> e.sample("litestream_compaction_verify_error_count", 0, "db", l.db().toString()));
        e.family("litestream_l0_retention_files_total", "gauge", "Number of L0 files by status during retention "
                + "enforcement (eligible: deleted by the last retention run that deleted files)");
        listed.forEach(l -> e.sample("litestream_l0_retention_files_total", l.stats().lastL0Deleted(), "db",
                l.db().toString(), "status", "eligible"));
    }

    private void syncs(Exposition e) {
        perDb(e, "litestream_total_wal_bytes", "Total number of bytes shipped from the WAL (LTX bytes uploaded; "
                + "Litefleet has no shadow WAL)", DbStats::ltxBytes);
        perDb(e, "litestream_sync_count", "Number of sync operations performed", DbStats::syncs);
        perDb(e, "litestream_sync_error_count", "Number of sync errors that have occurred", DbStats::syncErrors);
        perDb(e, "litestream_sync_seconds", "Time spent syncing, in seconds", DbStats::syncSeconds);
    }

    private void perDb(Exposition e, String name, String help, java.util.function.ToDoubleFunction<DbStats> value) {
        e.family(name, "counter", help);
        listed.forEach(l -> e.sample(name, value.applyAsDouble(l.stats()), "db", l.db().toString()));
        fleet.ifPresent(f -> e.sample(name, value.applyAsDouble(f.stats())));
    }

    private void checkpoints(Exposition e) {
        checkpoint(e, "litestream_checkpoint_count", "Number of checkpoint operations performed", DbStats::checkpoints);
        checkpoint(e, "litestream_checkpoint_error_count", "Number of checkpoint errors that have occurred",
                DbStats::checkpointErrors);
        checkpoint(e, "litestream_checkpoint_seconds", "Time spent checkpointing WAL, in seconds",
                DbStats::checkpointSeconds);
    }

    private interface ByMode {
        double value(DbStats stats, DbStats.Mode mode);
    }

    private void checkpoint(Exposition e, String name, String help, ByMode value) {
        e.family(name, "counter", help);
        for (DbStats.Mode m : DbStats.Mode.values()) {
            listed.forEach(l -> e.sample(name, value.value(l.stats(), m), "db", l.db().toString(), "mode",
                    m.name()));
            fleet.ifPresent(f -> e.sample(name, value.value(f.stats(), m), "mode", m.name()));
        }
    }

    private static void operations(Exposition e, List<RequestCounters> all) {
        List<RequestCounters> byType = byType(all);
        e.family("litestream_replica_operation_total", "counter", "The number of replica operations performed");
        for (RequestCounters c : byType) {
            for (ReplicaOperation op : ReplicaOperation.values()) {
                e.sample("litestream_replica_operation_total", c.count(op), "replica_type", c.type(), "operation",
                        op.name());
            }
        }
        e.family("litestream_replica_operation_bytes", "counter", "The number of bytes used by replica operations");
        for (RequestCounters c : byType) {
            e.sample("litestream_replica_operation_bytes", c.bytesUp(), "replica_type", c.type(), "operation", "PUT");
            e.sample("litestream_replica_operation_bytes", c.bytesDown(), "replica_type", c.type(), "operation",
                    "GET");
        }
        e.family("litestream_replica_operation_errors_total", "counter", "Number of replica operation errors by "
                + "type, operation, and error code (the code is the failure's kind)");
        for (RequestCounters c : byType) {
            for (ReplicaOperation op : ReplicaOperation.values()) {
                for (ReplicaFailure f : ReplicaFailure.values()) {
                    long n = c.count(op, f);
                    if (n > 0) {
                        e.sample("litestream_replica_operation_errors_total", n, "replica_type", c.type(),
                                "operation", op.name(), "code", f.name().toLowerCase(java.util.Locale.ROOT));
                    }
                }
            }
        }
        durations(e, byType);
    }

    private static void durations(Exposition e, List<RequestCounters> byType) {
        String name = "litestream_replica_operation_duration_seconds";
        e.family(name, "histogram", "Duration of replica operations by type and operation");
        double[] bounds = RequestCounters.durationBuckets();
        for (RequestCounters c : byType) {
            for (ReplicaOperation op : ReplicaOperation.values()) {
                long[] counts = c.durationCounts(op);
                for (int b = 0; b < bounds.length; b++) {
                    e.sample(name + "_bucket", counts[b], "replica_type", c.type(), "operation", op.name(), "le",
                            Double.toString(bounds[b]));
                }
                e.sample(name + "_bucket", counts[bounds.length], "replica_type", c.type(), "operation", op.name(),
                        "le", "+Inf");
                e.sample(name + "_sum", c.durationNanos(op) / 1e9, "replica_type", c.type(), "operation", op.name());
                e.sample(name + "_count", counts[bounds.length], "replica_type", c.type(), "operation", op.name());
            }
        }
    }

    /** Upstream labels operations by backend type only: destinations of one type are added up. */
    private static List<RequestCounters> byType(List<RequestCounters> all) {
        Map<String, RequestCounters> sums = new java.util.TreeMap<>();
        for (RequestCounters c : all) {
            sums.computeIfAbsent(c.type(), t -> new RequestCounters(t, t)).add(c);
        }
        return List.copyOf(sums.values());
    }

    private void ours(Exposition e, List<RequestCounters> all) {
        e.family("litefleet_replica_requests_total", "counter", "Requests sent to each replica destination, by "
                + "operation and outcome");
        for (RequestCounters c : all) {
            for (ReplicaOperation op : ReplicaOperation.values()) {
                e.sample("litefleet_replica_requests_total", c.count(op, null), "destination", c.destination(),
                        "operation", op.label(), "outcome", "ok");
                for (ReplicaFailure f : ReplicaFailure.values()) {
                    long n = c.count(op, f);
                    if (n > 0) {
                        e.sample("litefleet_replica_requests_total", n, "destination", c.destination(), "operation",
                                op.label(), "outcome", f.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
                    }
                }
            }
        }
        e.family("litefleet_replica_bytes_total", "counter", "Bytes stored to (up) and read from (down) each replica "
                + "destination");
        for (RequestCounters c : all) {
            e.sample("litefleet_replica_bytes_total", c.bytesUp(), "destination", c.destination(), "direction", "up");
            e.sample("litefleet_replica_bytes_total", c.bytesDown(), "destination", c.destination(), "direction",
                    "down");
        }
        e.family("litefleet_replica_txid", "gauge", "The TXID each replica of a database listed under dbs: holds");
        listed.forEach(l -> l.replicas().forEach((name, r) -> e.sample("litefleet_replica_txid", r.txid(), "db",
                l.db().toString(), "replica", name)));
        fleet.ifPresent(f -> fleet(e, f.status()));
    }

    private static void fleet(Exposition e, FleetStatus s) {
        e.family("litefleet_fleet_databases", "gauge", "Fleet databases by tier");
        e.sample("litefleet_fleet_databases", s.hot(), "tier", "hot");
        e.sample("litefleet_fleet_databases", s.cold(), "tier", "cold");
        e.sample("litefleet_fleet_databases", s.deleted(), "tier", "deleted");
        e.sample("litefleet_fleet_databases", s.excluded(), "tier", "excluded");
        e.family("litefleet_fleet_tier_changes_total", "counter", "Promotions (cold to hot), demotions and evictions");
        e.sample("litefleet_fleet_tier_changes_total", s.promotions(), "change", "promotion");
        e.sample("litefleet_fleet_tier_changes_total", s.demotions(), "change", "demotion");
        e.sample("litefleet_fleet_tier_changes_total", s.evictions(), "change", "eviction");
        e.family("litefleet_fleet_passes_total", "counter", "Transient passes and settle passes done");
        e.sample("litefleet_fleet_passes_total", s.transients(), "kind", "transient");
        e.sample("litefleet_fleet_passes_total", s.settles(), "kind", "settle");
        e.family("litefleet_fleet_backlog", "gauge", "Changed cold databases waiting for a transient pass");
        e.sample("litefleet_fleet_backlog", s.backlog());
        e.family("litefleet_fleet_captures_total", "counter", "Syncs that uploaded a database's current state anew");
        e.sample("litefleet_fleet_captures_total", s.captures());
        e.family("litefleet_fleet_scans_total", "counter", "Full discovery scans done");
        e.sample("litefleet_fleet_scans_total", s.scans());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // absent (no WAL yet, or deleted): upstream reports what it last saw, nothing is closer than 0
        }
    }
}
