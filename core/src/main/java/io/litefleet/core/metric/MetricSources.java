package io.litefleet.core.metric;

import io.litefleet.core.cluster.ClusterView;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.replica.RequestCounters;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the collectors read at scrape time.
 *
 * @param listed   the databases listed under {@code dbs:}
 * @param fleet    the fleet, if one runs
 * @param requests the request counters of every replica destination now
 * @param cluster  cluster mode's figures, only with a {@code cluster:} section
 */
record MetricSources(List<ReplicationMetrics.Listed> listed, Optional<FleetManager> fleet,
                     Supplier<List<RequestCounters>> requests, Optional<ClusterView> cluster) {
    /** Validates and copies. */
    MetricSources {
        listed = List.copyOf(listed);
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(cluster, "cluster");
    }
}
