package io.litefleet.core;

import io.litefleet.core.cluster.ClusterView;
import io.litefleet.core.config.HttpConfig.HealthThresholds;
import io.litefleet.core.fleet.FleetLive;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The verdict of {@code /healthz} on a fleet's memory and the {@code dbs:} databases: a hot database (every listed one
 * is) lagging past {@code health.max-lag}, a destination failing for longer than {@code health.max-failing}, in
 * cluster mode a fenced instance (its session not valid), or no discovery scan for
 * {@code health.missed-scans} full-scan intervals, as in force (the scan interval while watching is not healthy, the
 * longer full-scan interval while it is). A pure function of its inputs.
 */
final class FleetHealth {
    /** At most this many databases are named in one reason. */
    static final int MAX_NAMED = 10;

    private FleetHealth() {
    }

    /**
     * The reasons replication is unhealthy at {@code now}; empty when healthy.
     *
     * @param live   the fleet's memory, null without a fleet
     * @param listed the databases listed under {@code dbs:}
     */
    static List<String> reasons(FleetLive live, List<ListedDatabases.State> listed, Instant now, HealthThresholds t) {
        return reasons(live, listed, Optional.empty(), now, t);
    }

    /**
     * As {@link #reasons(FleetLive, List, Instant, HealthThresholds)}, and in cluster mode whether this instance is
     * fenced (its session not valid: it uploads and deletes nothing).
     *
     * @param cluster cluster mode's figures, empty without a {@code cluster:} section
     */
    static List<String> reasons(FleetLive live, List<ListedDatabases.State> listed,
                                Optional<ClusterView.Snapshot> cluster, Instant now, HealthThresholds t) {
        List<String> reasons = new ArrayList<>();
        cluster.flatMap(c -> fenced(c, now)).ifPresent(reasons::add);
        List<String> late = new ArrayList<>();
        for (ListedDatabases.State s : listed) {
            Duration lag = s.running() ? s.lastSync().map(at -> Duration.between(at, now)).orElse(Duration.ZERO)
                    : Duration.ZERO; // a stopped one is not expected to sync; one never synced is not judged yet
            if (lag.compareTo(t.maxLag()) > 0) {
                late.add(s.path() + " (" + lag.toSeconds() + "s)");
            }
        }
        if (live != null) {
            for (FleetLive.HotDb h : live.hot()) {
                Duration lag = lag(h, now);
                if (lag.compareTo(t.maxLag()) > 0) {
                    late.add(h.path() + " (" + lag.toSeconds() + "s)");
                }
            }
        }
        if (!late.isEmpty()) {
            late.sort(null);
            reasons.add(late.size() + " hot database(s) behind by more than health.max-lag " + t.maxLag().toSeconds()
                    + "s: " + String.join(", ", late.subList(0, Math.min(MAX_NAMED, late.size())))
                    + (late.size() > MAX_NAMED ? ", ..." : ""));
        }
        if (live != null) {
            failingDestinations(live, now, t, reasons);
            discovery(live, now, t, reasons);
        }
        return reasons;
    }

    /** The reason of a fenced instance; empty while its session is valid. */
    private static Optional<String> fenced(ClusterView.Snapshot c, Instant now) {
        return c.fenced(now).map(f -> "cluster: " + f + ": instance " + c.instance() + " uploads and deletes "
                + "nothing, keeping the WAL, until the coordination service answers again");
    }

    private static void discovery(FleetLive live, Instant now, HealthThresholds t, List<String> reasons) {
        Duration allowed = live.scanInterval().multipliedBy(t.missedScans());
        Instant since = live.lastScan().orElse(live.started());
        if (Duration.between(since, now).compareTo(allowed) > 0) {
            reasons.add("discovery: no scan completed " + (live.lastScan().isPresent() ? "since " + since
                    : "since start") + " (health.missed-scans " + t.missedScans() + " x the full-scan interval in "
                    + "force, " + live.scanInterval().toSeconds() + "s; watch " + live.watch().label() + ")");
        }
    }

    /**
     * How far the slowest destination of a hot database may be behind: the time since it last synced successfully
     * (since it was scheduled, before its first sync). A sync ships everything committed before it began, so no
     * commit older than this is unshipped.
     */
    static Duration lag(FleetLive.HotDb hot, Instant now) {
        Duration worst = Duration.ZERO;
        for (FleetLive.HotReplica r : hot.replicas()) {
            Instant since = r.health().map(h -> h.lastSuccess().orElse(h.added())).orElse(now);
            Duration d = Duration.between(since, now);
            worst = d.compareTo(worst) > 0 ? d : worst;
        }
        return worst;
    }

    private static void failingDestinations(FleetLive live, Instant now, HealthThresholds t, List<String> reasons) {
        Map<String, List<String>> failing = new TreeMap<>();
        for (FleetLive.HotDb h : live.hot()) {
            for (FleetLive.HotReplica r : h.replicas()) {
                r.health().filter(x -> x.failingSince().map(s -> Duration.between(s, now)
                        .compareTo(t.maxFailing()) > 0).orElse(false)).ifPresent(x -> failing
                        .computeIfAbsent(r.destination(), k -> new ArrayList<>()).add(x.lastError().orElse("?")));
            }
        }
        failing.forEach((dest, errors) -> reasons.add("destination " + dest + ": syncs of " + errors.size()
                + " database(s) failing for longer than health.max-failing " + t.maxFailing().toSeconds()
                + "s; last error: " + errors.getFirst()));
    }
}
