package io.litefleet.core.metric;

import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.engine.DurationHistogram;
import io.litefleet.core.replica.RequestCounters;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Upstream Litestream v0.5.16's {@code litestream_*} families, under upstream's sample names and labels, read at
 * scrape time. Upstream's counters whose names do not end in {@code _total} ({@code litestream_sync_count} and 8
 * more) are written untyped, as the Prometheus client would otherwise add {@code _total} to their names. Databases
 * listed under {@code dbs:} carry upstream's {@code db} label; the fleet's databases are added up into series without
 * one. Thread-safe.
 */
final class UpstreamFamilies implements MultiCollector {
    private final MetricSources src;

    UpstreamFamilies(MetricSources sources) {
        this.src = sources;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        databases(out);
        syncs(out);
        checkpoints(out);
        operations(out, byType(src.requests().get()));
        return new MetricSnapshots(out);
    }

    private void databases(List<MetricSnapshot> out) {
        out.add(perListed(Samples.gauge("litestream_db_size", "The current size of the real DB"),
                l -> size(l.db())));
        out.add(perListed(Samples.gauge("litestream_wal_size", "The current size of the real WAL"),
                l -> size(Path.of(l.db() + "-wal"))));
        out.add(perListed(Samples.gauge("litestream_txid", "The current transaction ID (the lowest any of the "
                + "database's replicas holds)"), l -> l.replicas().values().stream().mapToLong(DbReplicator::txid)
                .min().orElse(0)));
        out.add(perListed(Samples.gauge("litestream_disk_full", "Whether replication is paused because the local "
                + "disk is full (always 0: Litefleet keeps no local copy to fill a disk with)"), l -> 0));
        out.add(perListed(Samples.untyped("litestream_compaction_verify_error_count", "Number of post-compaction "
                + "verification failures (verify-compaction is not offered: always 0)"), l -> 0));
        Samples l0 = Samples.gauge("litestream_l0_retention_files_total", "Number of L0 files by status during "
                + "retention enforcement (eligible: deleted by the last retention run that deleted files)");
        src.listed().forEach(l -> l0.add(l.stats().lastL0Deleted(), "db", l.db().toString(), "status", "eligible"));
        out.add(l0.build());
    }

    private MetricSnapshot perListed(Samples s, ToDoubleFunction<ReplicationMetrics.Listed> value) {
        src.listed().forEach(l -> s.add(value.applyAsDouble(l), "db", l.db().toString()));
        return s.build();
    }

    private void syncs(List<MetricSnapshot> out) {
        out.add(perDb("litestream_total_wal_bytes", "Total number of bytes shipped from the WAL (LTX bytes "
                + "uploaded; Litefleet has no shadow WAL)", DbStats::ltxBytes));
        out.add(perDb("litestream_sync_count", "Number of sync operations performed", DbStats::syncs));
        out.add(perDb("litestream_sync_error_count", "Number of sync errors that have occurred",
                DbStats::syncErrors));
        out.add(perDb("litestream_sync_seconds", "Time spent syncing, in seconds", DbStats::syncSeconds));
    }

    private MetricSnapshot perDb(String name, String help, ToDoubleFunction<DbStats> value) {
        Samples s = Samples.untyped(name, help);
        src.listed().forEach(l -> s.add(value.applyAsDouble(l.stats()), "db", l.db().toString()));
        src.fleet().ifPresent(f -> s.add(value.applyAsDouble(f.stats())));
        return s.build();
    }

    private interface ByMode {
        double value(DbStats stats, DbStats.Mode mode);
    }

    private void checkpoints(List<MetricSnapshot> out) {
        out.add(checkpoint("litestream_checkpoint_count", "Number of checkpoint operations performed",
                DbStats::checkpoints));
        out.add(checkpoint("litestream_checkpoint_error_count", "Number of checkpoint errors that have occurred",
                DbStats::checkpointErrors));
        out.add(checkpoint("litestream_checkpoint_seconds", "Time spent checkpointing WAL, in seconds",
                DbStats::checkpointSeconds));
    }

    private MetricSnapshot checkpoint(String name, String help, ByMode value) {
        Samples s = Samples.untyped(name, help);
        for (DbStats.Mode m : DbStats.Mode.values()) {
            src.listed().forEach(l -> s.add(value.value(l.stats(), m), "db", l.db().toString(), "mode", m.name()));
            src.fleet().ifPresent(f -> s.add(value.value(f.stats(), m), "mode", m.name()));
        }
        return s.build();
    }

    private static void operations(List<MetricSnapshot> out, List<RequestCounters> byType) {
        Samples calls = Samples.counter("litestream_replica_operation_total", "The number of replica operations "
                + "performed");
        Samples bytes = Samples.untyped("litestream_replica_operation_bytes", "The number of bytes used by replica "
                + "operations");
        Samples errors = Samples.counter("litestream_replica_operation_errors_total", "Number of replica operation "
                + "errors by type, operation, and error code (the code is the failure's kind)");
        Samples durations = Samples.histogram("litestream_replica_operation_duration_seconds", "Duration of replica "
                + "operations by type and operation");
        for (RequestCounters c : byType) {
            bytes.add(c.bytesUp(), "replica_type", c.type(), "operation", "PUT");
            bytes.add(c.bytesDown(), "replica_type", c.type(), "operation", "GET");
            for (ReplicaOperation op : ReplicaOperation.values()) {
                calls.add(c.count(op), "replica_type", c.type(), "operation", op.name());
                durations.add(durations(c, op), "replica_type", c.type(), "operation", op.name());
                for (ReplicaFailure f : ReplicaFailure.values()) { // every code, zeros too: series need no failure
                    errors.add(c.count(op, f), "replica_type", c.type(), "operation", op.name(), "code",
                            f.name().toLowerCase(Locale.ROOT));
                }
            }
        }
        out.add(calls.build());
        out.add(bytes.build());
        out.add(errors.build());
        out.add(durations.build());
    }

    /** {@code op}'s call durations as a histogram reading (the counters keep them cumulative). */
    private static DurationHistogram.Snapshot durations(RequestCounters c, ReplicaOperation op) {
        long[] cumulative = c.durationCounts(op);
        long[] counts = new long[cumulative.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }
        return new DurationHistogram.Snapshot(RequestCounters.durationBuckets(), counts, c.durationNanos(op) / 1e9);
    }

    /** Upstream labels operations by backend type only: destinations of one type are added up. */
    private static List<RequestCounters> byType(List<RequestCounters> all) {
        Map<String, RequestCounters> sums = new TreeMap<>();
        for (RequestCounters c : all) {
            sums.computeIfAbsent(c.type(), t -> new RequestCounters(t, t)).add(c);
        }
        return List.copyOf(sums.values());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // absent (no WAL yet, or deleted): upstream reports what it last saw, nothing is closer than 0
        }
    }
}
