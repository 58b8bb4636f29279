package io.litefleet.core;

import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.cluster.ClusterView;
import io.litefleet.core.config.HttpConfig.HealthThresholds;
import io.litefleet.core.fleet.FleetLive;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetStatus;
import io.litefleet.core.fleet.RowState;
import io.litefleet.core.http.DatabaseQuery;
import io.litefleet.core.http.DatabaseView;
import io.litefleet.core.http.StatusSource;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.Catalog.DatabaseRow;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The status API's data: rows from the catalog, merged with what the fleet holds in memory (the hot set's sync
 * health and lag, the databases in error). No storage request. Thread-safe: the catalog serialises its reads and the
 * fleet answers through its inbox.
 */
final class FleetStatusSource implements StatusSource {
    /** How long a request waits for the fleet thread to answer. */
    private static final Duration FLEET_ANSWER = Duration.ofSeconds(10);

    private final Catalog catalog;
    private final FleetManager fleet;
    private final ListedDatabases listed;
    private final HealthThresholds thresholds;
    private final Clock clock;
    private final Optional<ClusterView> cluster;

    /**
     * @param fleet   the fleet, null when only {@code dbs:} are replicated
     * @param cluster cluster mode's view, empty without a {@code cluster:} section
     */
    FleetStatusSource(Catalog catalog, FleetManager fleet, ListedDatabases listed, HealthThresholds thresholds,
                      Clock clock, Optional<ClusterView> cluster) {
        this.cluster = cluster;
        this.catalog = catalog;
        this.fleet = fleet;
        this.listed = listed;
        this.thresholds = thresholds;
        this.clock = clock;
    }

    @Override
    public DatabasePage list(DatabaseQuery q) throws Exception {
        Live live = live();
        String state = q.state().orElse(null);
        if ("error".equals(state)) {
            return errorPage(q, live);
        }
        List<DatabaseRow> rows = catalog.databases(state, q.prefix().orElse(null), q.after().orElse(null),
                q.limit() + 1);
        boolean more = rows.stream().map(DatabaseRow::path).distinct().count() > q.limit();
        if (state != null && !live.listed.isEmpty()) {
            rows = withListed(rows, state, q, live);
        }
        List<DatabaseView> views = views(rows, live);
        more |= views.size() > q.limit();
        return new DatabasePage(withOwners(views.size() > q.limit() ? views.subList(0, q.limit()) : views), more);
    }

    /**
     * The catalog records no tier for databases listed under {@code dbs:} (read as cold there): they are hot, so a
     * tier listing moves them to {@code hot}, in path order.
     */
    private List<DatabaseRow> withListed(List<DatabaseRow> rows, String state, DatabaseQuery q, Live live)
            throws IOException {
        List<DatabaseRow> out = new ArrayList<>(rows);
        out.removeIf(r -> live.listed.containsKey(r.path()));
        if (state.equals("hot")) {
            for (String p : live.listed.keySet()) {
                if (q.prefix().map(p::startsWith).orElse(true) && q.after().map(a -> p.compareTo(a) > 0)
                        .orElse(true)) {
                    out.addAll(rowsOf(p));
                }
            }
            out.sort(java.util.Comparator.comparing(DatabaseRow::path).thenComparing(DatabaseRow::replica));
        }
        return out;
    }

    /** The catalog rows of exactly {@code path}, one per destination. */
    private List<DatabaseRow> rowsOf(String path) throws IOException {
        return catalog.databases(null, path, null, 1).stream().filter(r -> r.path().equals(path)).toList();
    }

    /** {@code state=error}: the databases in error, which the fleet holds in memory (few), paged here. */
    private DatabasePage errorPage(DatabaseQuery q, Live live) throws IOException {
        List<DatabaseView> out = new ArrayList<>();
        for (String p : live.errorPaths) {
            if (q.prefix().map(p::startsWith).orElse(true) && q.after().map(a -> p.compareTo(a) > 0).orElse(true)) {
                if (out.size() == q.limit()) {
                    return new DatabasePage(withOwners(out), true);
                }
                out.add(view(Path.of(p), live).orElseThrow());
            }
        }
        return new DatabasePage(withOwners(out), false);
    }

    @Override
    public Optional<DatabaseView> get(Path db) throws Exception {
        Optional<DatabaseView> v = view(db, live());
        return v.isEmpty() ? v : Optional.of(withOwners(List.of(v.get())).getFirst());
    }

    /**
     * Cluster mode: {@code views} with their owners: this instance and its token for a database it holds a claim on,
     * {@link DatabaseView#ANOTHER_INSTANCE} for a foreign one, nobody for the rest. One question to the fleet per page.
     */
    private List<DatabaseView> withOwners(List<DatabaseView> views) throws IOException {
        if (cluster.isEmpty() || views.isEmpty()) {
            return views;
        }
        String me = cluster.get().coordinator().instanceId();
        long[] tokens = fleet == null ? new long[views.size()] : answer(fleet.tokens(views.stream()
                .map(v -> Path.of(v.path())).toList()));
        List<DatabaseView> out = new ArrayList<>(views.size());
        for (int i = 0; i < views.size(); i++) {
            DatabaseView v = views.get(i);
            long token = tokens[i] != 0 ? tokens[i] : listed.token(Path.of(v.path()));
            Optional<String> who = token != 0 ? Optional.of(me) : v.tier().equals(RowState.FOREIGN.persisted())
                    ? Optional.of(DatabaseView.ANOTHER_INSTANCE) : Optional.empty();
            out.add(v.withOwner(new DatabaseView.Owner(who, token)));
        }
        return out;
    }

    @Override
    public Optional<OwnersPage> owners(String after, int limit) throws Exception {
        if (cluster.isEmpty()) {
            return Optional.empty();
        }
        Coordinator c = cluster.get().coordinator();
        return Optional.of(new OwnersPage(c.instanceId(), c.owners(after, limit)));
    }

    private Optional<DatabaseView> view(Path db, Live live) throws IOException {
        String p = db.toString();
        List<DatabaseRow> rows = rowsOf(p);
        if (!rows.isEmpty()) {
            return Optional.of(views(rows, live).getFirst());
        }
        FleetLive.ErrorDb e = live.errors.get(p);
        FleetLive.HotDb hot = live.hot.get(p);
        if (e == null && hot == null) {
            return Optional.empty();
        }
        // Known to the fleet, not yet to the catalog (its first sync has not succeeded).
        List<DatabaseView.Replica> replicas = hot == null ? List.of() : hot.replicas().stream().map(r ->
                new DatabaseView.Replica(r.url(), r.txid(), Optional.empty())).toList();
        return Optional.of(new DatabaseView(p, e != null ? e.state() : "hot", replicas,
                Optional.ofNullable(hot).map(this::lag), e != null ? Optional.of(e.reason())
                : syncError(hot), 0, 0, 0));
    }

    /** One view per database of {@code rows} (which list each database's replicas together). */
    private List<DatabaseView> views(List<DatabaseRow> rows, Live live) {
        Map<String, List<DatabaseRow>> byPath = new LinkedHashMap<>();
        rows.forEach(r -> byPath.computeIfAbsent(r.path(), k -> new ArrayList<>()).add(r));
        List<DatabaseView> out = new ArrayList<>(byPath.size());
        byPath.forEach((path, rs) -> out.add(view(path, rs, live)));
        return out;
    }

    private DatabaseView view(String path, List<DatabaseRow> rows, Live live) {
        DatabaseRow first = rows.getFirst();
        FleetLive.HotDb hot = live.hot.get(path);
        FleetLive.ErrorDb error = live.errors.get(path);
        ListedDatabases.State own = live.listed.get(path);
        if (own != null) { // listed under dbs: always streamed while replication runs
            Optional<Duration> lag = own.lastSync().map(t -> Duration.between(t, clock.instant()));
            return new DatabaseView(path, "hot", replicas(rows), lag, Optional.empty(), first.size(), 0, 0);
        }
        String tier = error != null ? error.state() : hot != null ? "hot" : first.tier();
        List<DatabaseView.Replica> replicas = replicas(rows);
        Optional<String> lastError = Optional.ofNullable(error).map(FleetLive.ErrorDb::reason)
                .or(() -> Optional.ofNullable(hot).flatMap(FleetStatusSource::syncError));
        return new DatabaseView(path, tier, replicas, Optional.ofNullable(hot).map(this::lag), lastError,
                first.size(), first.promotions(), first.demotions());
    }

    private static List<DatabaseView.Replica> replicas(List<DatabaseRow> rows) {
        return rows.stream().map(r -> new DatabaseView.Replica(ReplicaUrl.escape(r.replica()), r.txid(),
                Optional.of(r.lastSync()))).toList();
    }

    private static Optional<String> syncError(FleetLive.HotDb hot) {
        return hot.replicas().stream().flatMap(r -> r.health().flatMap(h -> h.lastError().map(e -> r.destination()
                + ": " + e)).stream()).findFirst();
    }

    /**
     * How far the slowest destination of a hot database may be behind: the time since it last synced successfully
     * (since it was scheduled, before its first sync). A sync ships everything committed before it began, so no
     * commit older than this is unshipped.
     */
    private Duration lag(FleetLive.HotDb hot) {
        return FleetHealth.lag(hot, clock.instant());
    }

    @Override
    public PromoteOutcome promote(Path db) throws Exception {
        if (listed.states().stream().anyMatch(s -> s.path().equals(db))) {
            return PromoteOutcome.ALREADY_HOT; // listed under dbs: streamed all the time
        }
        if (fleet == null) {
            return PromoteOutcome.UNKNOWN;
        }
        Live live = live();
        if (live.hot.containsKey(db.toString())) {
            return PromoteOutcome.ALREADY_HOT;
        }
        Optional<DatabaseView> v = view(db, live);
        if (v.isEmpty() && !fleet.manages(db)) {
            return PromoteOutcome.UNKNOWN;
        }
        if (v.isPresent() && (v.get().tier().equals("deleted") || v.get().tier().equals("excluded")
                || v.get().tier().equals(RowState.FOREIGN.persisted()))) {
            return PromoteOutcome.NOT_PROMOTABLE;
        }
        fleet.promote(db);
        return PromoteOutcome.ACCEPTED;
    }

    @Override
    public List<String> unhealthy() {
        try {
            return FleetHealth.reasons(live().fleet, listed.states(), cluster.map(ClusterView::snapshot),
                    clock.instant(), thresholds);
        } catch (IOException e) {
            return List.of(e.getMessage());
        }
    }

    @Override
    public Optional<String> notReady() {
        if (fleet == null) {
            return Optional.empty();
        }
        return fleet.status().scans() > 0 ? Optional.empty() : Optional.of("the first discovery scan is not done");
    }

    @Override
    public Map<String, Object> summary() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listed", listed.size());
        m.put("fleet", fleet != null);
        if (fleet != null) {
            FleetStatus s = fleet.status();
            Live live = live();
            m.put("known", s.known());
            m.put("hot", s.hot());
            m.put("cold", s.cold());
            m.put("deleted", s.deleted());
            m.put("excluded", s.excluded());
            m.put("foreign", fleet.unreplicated().foreign());
            m.put("errors", live.errorPaths.size());
            m.put("promotions", s.promotions());
            m.put("demotions", s.demotions());
            m.put("evictions", s.evictions());
            m.put("scans", s.scans());
            m.put("watching", s.watching());
            m.put("watch", s.watch().label());
            if (!live.fleet.watchReason().isEmpty()) {
                m.put("watchReason", live.fleet.watchReason());
            }
            m.put("fullScanEverySeconds", s.scanEvery().toSeconds());
            m.put("lastScan", live.fleet.lastScan().map(Instant::toString).orElse(null));
        }
        cluster.map(ClusterView::snapshot).ifPresent(c -> m.put("cluster", cluster(c)));
        return m;
    }

    /** The {@code cluster} object of {@code /v1/fleet}. */
    private Map<String, Object> cluster(ClusterView.Snapshot c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", c.instance());
        m.put("fenced", c.stats().fenced());
        m.put("fencedSince", c.fenced(clock.instant()).isPresent() ? clock.instant().minus(c.stats().fencedFor()
                .orElseThrow()).toString() : null);
        m.put("keepAliveAgeSeconds", c.stats().keepAliveAge().map(d -> d.toMillis() / 1000.0).orElse(null));
        m.put("owned", c.owned());
        m.put("foreign", c.foreign());
        return m;
    }

    /** The fleet's memory, keyed by path (empty without a fleet). */
    private Live live() throws IOException {
        if (fleet == null) {
            return new Live(null, listed.states());
        }
        return new Live(answer(fleet.live()), listed.states());
    }

    /** The fleet thread's answer, waiting at most {@link #FLEET_ANSWER}. */
    private static <T> T answer(java.util.concurrent.Future<T> f) throws IOException {
        try {
            return f.get(FLEET_ANSWER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the fleet thread did not answer within " + FLEET_ANSWER.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new IOException("the fleet could not answer: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * The fleet's memory and the {@code dbs:} databases, indexed by path; errors sorted by path (the error listing
     * pages through them).
     */
    private static final class Live {
        final FleetLive fleet;
        final Map<String, ListedDatabases.State> listed = new HashMap<>();
        final Map<String, FleetLive.HotDb> hot = new HashMap<>();
        final Map<String, FleetLive.ErrorDb> errors = new HashMap<>();
        /** Refused and failed databases, and hot ones whose last sync failed, sorted. */
        final java.util.TreeSet<String> errorPaths = new java.util.TreeSet<>();

        Live(FleetLive fleet, List<ListedDatabases.State> listed) {
            this.fleet = fleet;
            listed.forEach(s -> this.listed.put(s.path().toString(), s));
            if (fleet != null) {
                fleet.hot().forEach(h -> hot.put(h.path().toString(), h));
                fleet.errors().forEach(e -> errors.put(e.path().toString(), e));
                errorPaths.addAll(errors.keySet());
                fleet.hot().stream().filter(h -> syncError(h).isPresent()).forEach(h -> errorPaths.add(h.path()
                        .toString()));
            }
        }
    }
}
