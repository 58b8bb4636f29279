package io.litefleet.core.metric;

import io.litefleet.core.cluster.ClusterView;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.replica.RequestCounters;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code /metrics} shows, built and written by the Prometheus Java client (1.x) from one registry of this
 * replication's own: upstream Litestream v0.5.16's {@code litestream_*} families under their sample names and labels
 * ({@link UpstreamFamilies}), Litefleet's {@code litefleet_*} ({@link LitefleetFamilies}), and the client's JVM
 * metrics ({@code jvm_*}, {@code process_*}) from one registry shared by the process. Databases listed under {@code dbs:} get upstream's per-database series
 * ({@code db} label: the path); a fleet's databases are added up into series without a {@code db} label, so the
 * number of series does not grow with the fleet. Everything is read at scrape time from live counters; nothing is
 * kept per scrape. Thread-safe.
 */
public final class ReplicationMetrics {
    /** The content type of {@link #scrape()}'s text: Prometheus' text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.create().getContentType();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

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
            replicas = Collections.unmodifiableMap(new LinkedHashMap<>(replicas));
            Objects.requireNonNull(stats, "stats");
        }
    }

    /** Metrics of {@code listed}, the fleet (if any), the destinations' request counters and the JVM. */
    public ReplicationMetrics(List<Listed> listed, Optional<FleetManager> fleet,
                              Supplier<List<RequestCounters>> requests) {
        this(listed, fleet, requests, Optional.empty());
    }

    /**
     * As {@link #ReplicationMetrics(List, Optional, Supplier)}, with the {@code litefleet_cluster_*} families when
     * {@code cluster} is present (a {@code cluster:} section); without one they are absent.
     */
    public ReplicationMetrics(List<Listed> listed, Optional<FleetManager> fleet,
                              Supplier<List<RequestCounters>> requests, Optional<ClusterView> cluster) {
        MetricSources sources = new MetricSources(listed, fleet, requests, cluster);
        registry.register(new UpstreamFamilies(sources));
        registry.register(new LitefleetFamilies(sources));
    }

    /**
     * The JVM's metrics, registered once per process and only at the first scrape: the client keeps every registry it
     * registered them into in a static set (and a GC listener each), which would hold every closed replication's
     * fleet in memory; and building them starts the platform MBean server (about 550 classes and a thread), which a
     * daemon nobody scrapes should not pay for.
     */
    private static final class Jvm {
        static final PrometheusRegistry REGISTRY = create();

        private static PrometheusRegistry create() {
            PrometheusRegistry r = new PrometheusRegistry();
            JvmMetrics.builder().register(r);
            return r;
        }
    }

    /** The text of one scrape, in the format {@link #CONTENT_TYPE} names. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 << 10);
        try {
            MetricSnapshots.Builder all = MetricSnapshots.builder();
            registry.scrape().forEach(all::metricSnapshot);
            Jvm.REGISTRY.scrape().forEach(all::metricSnapshot);
            writer.write(out, all.build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics", e); // a byte array does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
