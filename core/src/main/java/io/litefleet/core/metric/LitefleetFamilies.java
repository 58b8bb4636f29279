package io.litefleet.core.metric;

import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import io.litefleet.core.cluster.ClusterView;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.engine.DurationHistogram;
import io.litefleet.core.engine.SyncErrorKind;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetStatus;
import io.litefleet.core.fleet.WatchHealth;
import io.litefleet.core.replica.RequestCounters;
import io.litefleet.core.replica.StaleFiles;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Litefleet's own {@code litefleet_*} families, read at scrape time: requests and bytes per replica destination,
 * replication lag, sync errors and unshipped WAL bytes of every streamed database, and the fleet's tiers, tier
 * changes, passes, queues and scans. Every label comes from a closed set (destination, operation, outcome, tier,
 * kind, queue); only databases listed under {@code dbs:} have series of their own ({@code litefleet_replica_txid}).
 * Thread-safe.
 */
final class LitefleetFamilies implements MultiCollector {
    private final MetricSources src;

    LitefleetFamilies(MetricSources sources) {
        this.src = sources;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        destinations(out, src.requests().get());
        streamed(out);
        src.fleet().ifPresent(f -> fleet(out, f));
        src.cluster().ifPresent(c -> cluster(out, c.snapshot()));
        return new MetricSnapshots(out);
    }

    /** Cluster mode's families; absent without a {@code cluster:} section. */
    private static void cluster(List<MetricSnapshot> out, ClusterView.Snapshot c) {
        CoordinatorStats st = c.stats();
        out.add(Samples.gauge("litefleet_cluster_fenced", "1 while this instance's cluster session is not valid (no "
                + "keep-alive answered within the lease TTL minus the fence margin, or the lease is gone): nothing is "
                + "uploaded or deleted, the WAL is kept; 0 otherwise").add(st.fenced() ? 1 : 0).build());
        out.add(Samples.gauge("litefleet_cluster_keepalive_age_seconds", "Time since the last answered keep-alive "
                + "(or lease grant) was sent; -1 before any was answered")
                .add(st.keepAliveAge().map(d -> d.toNanos() / 1e9).orElse(-1.0)).build());
        out.add(Samples.gauge("litefleet_cluster_owned_databases", "Databases this instance replicates under a claim "
                + "(fencing token) of its current session; 0 while fenced").add(c.owned()).build());
        out.add(Samples.gauge("litefleet_cluster_foreign_databases", "Databases this instance found, whose replica "
                + "location another instance holds (not replicated here)").add(c.foreign()).build());
        Samples requests = Samples.counter("litefleet_cluster_requests_total", "Requests to the coordination service, "
                + "by operation and outcome");
        for (CoordinatorStats.Operation op : CoordinatorStats.Operation.values()) {
            requests.add(st.ok(op), "operation", op.label(), "outcome", "ok");
            requests.add(st.error(op), "operation", op.label(), "outcome", "error");
        }
        out.add(requests.build());
        Samples stale = Samples.counter("litefleet_cluster_stale_files_total", "LTX files found written by a stale "
                + "owner (a fencing token lower than one the replica path already had), by where: upload (a "
                + "conditional create found one and replaced it), compaction, restore");
        for (StaleFiles.Where w : StaleFiles.Where.values()) {
            stale.add(StaleFiles.total(w), "where", w.name().toLowerCase(Locale.ROOT));
        }
        out.add(stale.build());
    }

    private void destinations(List<MetricSnapshot> out, List<RequestCounters> all) {
        Samples requests = Samples.counter("litefleet_replica_requests_total", "Requests sent to each replica "
                + "destination, by operation and outcome (ok, or the failure's kind)");
        Samples bytes = Samples.counter("litefleet_replica_bytes_total", "Bytes stored to (up) and read from (down) "
                + "each replica destination");
        for (RequestCounters c : all) {
            for (ReplicaOperation op : ReplicaOperation.values()) {
                requests.add(c.count(op, null), "destination", c.destination(), "operation", op.label(), "outcome",
                        "ok");
                for (ReplicaFailure f : ReplicaFailure.values()) {
                    requests.add(c.count(op, f), "destination", c.destination(), "operation", op.label(), "outcome",
                            f.name().toLowerCase(Locale.ROOT).replace('_', '-'));
                }
            }
            bytes.add(c.bytesUp(), "destination", c.destination(), "direction", "up");
            bytes.add(c.bytesDown(), "destination", c.destination(), "direction", "down");
        }
        out.add(requests.build());
        out.add(bytes.build());
        Samples txid = Samples.gauge("litefleet_replica_txid", "The TXID each replica of a database listed under "
                + "dbs: holds");
        src.listed().forEach(l -> l.replicas().forEach((name, r) -> txid.add(r.txid(), "db", l.db().toString(), "replica",
                name)));
        out.add(txid.build());
    }

    /** Families over every streamed database: the fleet's and those listed under {@code dbs:}, added up. */
    private void streamed(List<MetricSnapshot> out) {
        List<DbStats> all = new ArrayList<>();
        src.listed().forEach(l -> all.add(l.stats()));
        src.fleet().ifPresent(f -> all.add(f.stats()));
        Samples lag = Samples.histogram("litefleet_replication_lag_seconds", "Time from a commit being seen in the "
                + "WAL (the start of the sync that read it; for a transient pass, when the change was noticed) to its "
                + "upload being acknowledged, by tier");
        Samples errors = Samples.counter("litefleet_sync_errors_total", "Failed syncs, by tier and kind of error");
        for (DbStats.Tier tier : DbStats.Tier.values()) {
            DurationHistogram.Snapshot sum = DurationHistogram.of(DurationHistogram.LAG_BOUNDS).snapshot();
            for (DbStats s : all) {
                sum = sum.plus(s.lag(tier));
            }
            lag.add(sum, "tier", tier.label());
            for (SyncErrorKind kind : SyncErrorKind.values()) {
                errors.add(all.stream().mapToLong(s -> s.errors(tier, kind)).sum(), "tier", tier.label(), "kind",
                        kind.label());
            }
        }
        out.add(lag.build());
        out.add(errors.build());
        out.add(Samples.gauge("litefleet_wal_unshipped_bytes", "WAL bytes of the streamed databases that their "
                + "replicas do not hold yet, as of each database's last sync (every destination counts)")
                .add(all.stream().mapToLong(DbStats::unshippedWalBytes).sum()).build());
    }

    private static void fleet(List<MetricSnapshot> out, FleetManager f) {
        FleetStatus s = f.status();
        FleetManager.Unreplicated u = f.unreplicated();
        out.add(Samples.gauge("litefleet_fleet_discovered_databases", "Databases the fleet knows of, every tier "
                + "(deleted ones included)").add(s.known()).build());
        out.add(Samples.gauge("litefleet_fleet_databases", "Fleet databases by tier: hot (streamed), cold, deleted, "
                + "and not replicated: excluded (replica path unusable or shared), refused (not replicable as it "
                + "is), failed (an internal error), foreign (cluster mode: another instance replicates it)")
                .add(s.hot(), "tier", "hot").add(s.cold(), "tier", "cold").add(s.deleted(), "tier", "deleted")
                .add(u.excluded(), "tier", "excluded").add(u.refused(), "tier", "refused")
                .add(u.failed(), "tier", "failed").add(u.foreign(), "tier", "foreign").build());
        out.add(Samples.counter("litefleet_fleet_tier_changes_total", "Promotions (cold to hot), demotions (hot to "
                + "cold, evictions included) and evictions (demotions to make room)")
                .add(s.promotions(), "change", "promotion").add(s.demotions(), "change", "demotion")
                .add(s.evictions(), "change", "eviction").build());
        out.add(Samples.counter("litefleet_fleet_passes_total", "Transient passes (open, sync, close) and settle "
                + "passes (compaction, snapshot, retention of a cold replica) started")
                .add(s.transients(), "kind", "transient").add(s.settles(), "kind", "settle").build());
        out.add(Samples.gauge("litefleet_fleet_queue_depth", "Work waiting or running: changed cold databases "
                + "waiting for a transient pass (backlog), settle passes still to come (settles-pending), transient "
                + "and settle passes running now (running)")
                .add(s.backlog(), "queue", "backlog").add(s.settlesPending(), "queue", "settles-pending")
                .add(s.running(), "queue", "running").build());
        out.add(Samples.gauge("litefleet_fleet_backlog", "Changed cold databases waiting for a transient pass (as "
                + "litefleet_fleet_queue_depth{queue=\"backlog\"}; kept for dashboards written before it)")
                .add(s.backlog()).build());
        out.add(Samples.counter("litefleet_fleet_scans_total", "Full discovery scans completed (as "
                + "litefleet_fleet_scan_duration_seconds_count; kept for dashboards written before it)")
                .add(s.scans()).build());
        out.add(Samples.counter("litefleet_fleet_captures_total", "Syncs that uploaded a database's current state "
                + "anew (continuity with the replica not proven, first replications included)")
                .add(s.captures()).build());
        out.add(Samples.histogram("litefleet_fleet_scan_duration_seconds", "Durations of the full discovery scans "
                + "that completed").add(f.scanDurations()).build());
        out.add(Samples.gauge("litefleet_fleet_watching", "1 while file-system watching is active, 0 when the fleet "
                + "relies on periodic scans").add(s.watching() ? 1 : 0).build());
        Samples watch = Samples.gauge("litefleet_fleet_watch_health", "1 for how far file-system watching can be "
                + "trusted now: healthy (full scans only at multi-db full-scan-interval), lost-events (events lost "
                + "within the last scan interval), incomplete (directories left unwatched) or off; full scans run at "
                + "scan-interval unless healthy");
        for (WatchHealth h : WatchHealth.values()) {
            watch.add(s.watch() == h ? 1 : 0, "state", h.label());
        }
        out.add(watch.build());
        out.add(Samples.gauge("litefleet_fleet_full_scan_interval_seconds", "The time between full discovery scans "
                + "now: multi-db full-scan-interval while watching is healthy, scan-interval otherwise")
                .add(s.scanEvery().toSeconds()).build());
    }
}
