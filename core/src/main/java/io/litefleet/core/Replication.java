package io.litefleet.core;

import io.litefleet.api.ConfigException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import io.litefleet.core.cluster.ClusterView;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.config.ClusterConfig;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.HeartbeatConfig;
import io.litefleet.core.config.HttpConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.config.SocketConfig;
import io.litefleet.core.control.ControlServer;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.engine.ShutdownSync;
import io.litefleet.core.metric.Heartbeat;
import io.litefleet.core.http.HttpEndpoint;
import io.litefleet.core.http.Router;
import io.litefleet.core.metric.ReplicationMetrics;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetStatus;
import io.litefleet.core.fleet.SyncScheduler;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.ReplicaOverlaps;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RequestCounters;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.StateLock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Replication running in this process, started by {@link Litefleet.Builder#start()}: the databases given
 * explicitly and, with a {@code multi-db:} section, a fleet. It owns everything it started: the state directory's
 * lock and catalog, the plugins, one client per replica destination, the one sync pool every database shares and
 * the fleet's thread. {@link #close()} stops it, ships what is committed (each hot database's final sync) and
 * releases all of that; it is idempotent.
 *
 * <p>Thread-safe: {@link #status()}, {@link #requests()} and {@link #promote} may be called from any thread.
 */
public final class Replication implements AutoCloseable {
    private final StateLock lock;
    private final PluginRegistry registry;
    private final ReplicaClients clients;
    private final Catalog catalog;
    private final SyncScheduler scheduler;
    private final FleetManager fleet;
    private final ListedDatabases listed;
    private final Path stateDir;
    private final HttpEndpoint http;
    private final Heartbeat heartbeat;
    private final ControlServer control;
    private final io.litefleet.api.cluster.Coordinator coordinator;
    private final Optional<ClusterView> cluster;
    private final Clock clock;
    private boolean closed;

    private Replication(StateLock lock, PluginRegistry registry, ReplicaClients clients, Catalog catalog,
                        SyncScheduler scheduler, FleetManager fleet, ListedDatabases listed, Path stateDir,
                        HttpEndpoint http, Heartbeat heartbeat, Optional<SocketConfig> socket, Clock clock,
                        io.litefleet.api.cluster.Coordinator coordinator, Optional<ClusterView> cluster) {
        this.lock = lock;
        this.coordinator = coordinator;
        this.cluster = cluster;
        this.clock = clock;
        this.registry = registry;
        this.clients = clients;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.fleet = fleet;
        this.listed = listed;
        this.stateDir = stateDir;
        this.http = http;
        this.heartbeat = heartbeat;
        this.control = socket.map(s -> openControl(s, clock)).orElse(null);
    }

    /**
     * The control socket, or null when it cannot listen: as upstream, a daemon whose socket fails still replicates
     * (the warning names the path and why).
     */
    private ControlServer openControl(SocketConfig s, Clock clock) {
        try {
            ControlServer server = ControlServer.open(s.path(), s.permissions(), new ReplicationControl(listed, fleet,
                    catalog, clock), Litefleet.version(), clock);
            System.getLogger(Replication.class.getName()).log(System.Logger.Level.INFO, "control socket listening on "
                    + server.path());
            return server;
        } catch (IOException e) {
            System.getLogger(Replication.class.getName()).log(System.Logger.Level.WARNING, "control socket not "
                    + "started (replicating without it): " + e.getMessage());
            return null;
        }
    }

    /** Starts what {@code plan} describes; on failure everything started so far is closed again. */
    static Replication start(Plan plan) throws IOException {
        Clock clock = plan.clock();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            StateLock lock = open(opened, StateLock.acquire(plan.stateDir(), dbPaths(plan),
                    plan.fleet().isPresent()));
            PluginRegistry registry = open(opened, PluginRegistry.open(plan.pluginsDir()));
            // An unknown type or key fails here, naming file and line; without a cluster: section it costs nothing.
            io.litefleet.api.cluster.Coordinator coordinator = open(opened,
                    plan.cluster().open(registry));
            ReplicaClients clients = open(opened, new ReplicaClients(registry));
            Catalog catalog = open(opened, Catalog.open(plan.stateDir()));
            open(opened, io.litefleet.core.engine.PageChecksumHold.open(plan.stateDir(), clock));
            int workers = FleetWiring.syncWorkers(FleetWiring.networked(plan.dbs(), plan.fleet()));
            SyncScheduler scheduler = open(opened, plan.manual() ? SyncScheduler.manual(clock)
                    : SyncScheduler.start(workers, clock));
            scheduler.shutdownSync(plan.shutdownSync());
            ReplicaOverlaps claimed = new ReplicaOverlaps();
            List<ReplicationMetrics.Listed> measured = new ArrayList<>();
            // Replica templates resolve only when a database is found: their keys are checked now.
            plan.fleet().ifPresent(f -> f.replicaTemplates().forEach(t -> clients.check(t.base())));
            warnUnusedDefaults(plan, clients);
            // One replicator per destination: each keeps its own position, retries and compaction, so a slow or dead
            // destination never holds the others back.
            ListedDatabases listed = new ListedDatabases(clients, claimed, catalog, scheduler, plan.compaction(),
                    clock, plan.stateDir(), plan.fleet().isPresent(), lock, coordinator);
            for (DbConfig db : plan.dbs()) {
                measured.add(listed.add(db));
            }
            FleetManager fleet = plan.fleet().isEmpty() ? null : open(opened, FleetWiring.start(plan.fleet().get(),
                    plan.compaction(), registry, clients, catalog, clock, claimed, scheduler, plan.manual(),
                    coordinator));
            Optional<ClusterView> cluster = plan.cluster().clustered() ? Optional.of(new ClusterView(coordinator,
                    () -> listed.owned() + (fleet == null ? 0 : fleet.owned()),
                    () -> fleet == null ? 0 : fleet.unreplicated().foreign())) : Optional.empty();
            ReplicationMetrics metrics = new ReplicationMetrics(measured, Optional.ofNullable(fleet), clients::requests,
                    cluster);
            FleetStatusSource status = new FleetStatusSource(catalog, fleet, listed, plan.http().health(), clock,
                    cluster);
            HttpEndpoint server = HttpEndpoint.open(plan.http(), Router.create(metrics::scrape, status,
                    plan.http().token())).map(e -> open(opened, e)).orElse(null);
            Heartbeat heartbeat = plan.heartbeat().isEmpty() ? null : open(opened, Heartbeat.start(
                    plan.heartbeat().get(), measured.stream().map(ReplicationMetrics.Listed::stats).toList(), clock));
            return new Replication(lock, registry, clients, catalog, scheduler, fleet, listed, plan.stateDir(),
                    server, heartbeat, plan.socket(), clock, coordinator, cluster);
        } catch (IOException | RuntimeException e) {
            closeAll(opened.reversed(), e);
            throw e;
        }
    }

    private static void warnUnusedDefaults(Plan plan, ReplicaClients clients) {
        List<ReplicaConfig> all = new ArrayList<>();
        plan.dbs().forEach(d -> all.addAll(d.replicas()));
        plan.fleet().ifPresent(f -> f.replicaTemplates().forEach(t -> all.add(t.base())));
        for (String w : clients.unusedDefaults(all)) {
            System.getLogger(Replication.class.getName()).log(System.Logger.Level.WARNING, w);
        }
    }

    /**
     * The databases a {@code dbs:} process locks in the state directory: several processes on different databases
     * may share it (a fleet-mode process holds it alone).
     */
    private static List<Path> dbPaths(Plan plan) {
        return plan.dbs().stream().map(DbConfig::path).toList();
    }

    /** Syncs each listed database of {@code plan} once, then closes everything. */
    static List<Litefleet.SyncOutcome> syncOnce(Plan plan) throws IOException {
        return syncOnce(plan, Optional.empty());
    }

    /**
     * As {@link #syncOnce(Plan)}; with {@code settleEvery}, each replica synced is then settled as a database going
     * cold is (levels compacted, a snapshot of the latest state when the newest is older than {@code settleEvery},
     * so {@link java.time.Duration#ZERO} forces one; retention enforced).
     */
    static List<Litefleet.SyncOutcome> syncOnce(Plan plan, Optional<java.time.Duration> settleEvery)
            throws IOException {
        try (StateLock lock = StateLock.acquire(plan.stateDir(), dbPaths(plan), plan.fleet().isPresent());
             PluginRegistry registry = PluginRegistry.open(plan.pluginsDir());
             ReplicaClients clients = new ReplicaClients(registry);
             Catalog catalog = Catalog.open(plan.stateDir());
             io.litefleet.api.cluster.Coordinator coordinator = plan.cluster().open(registry)) {
            ReplicaOverlaps claimed = new ReplicaOverlaps();
            List<DbReplicator> replicators = new ArrayList<>();
            List<Maintenance> maintenance = new ArrayList<>();
            List<Litefleet.SyncOutcome> out = new ArrayList<>();
            for (DbConfig db : plan.dbs()) {
                List<ReplicaTarget> targets = new ArrayList<>();
                for (ReplicaConfig rc : db.replicas()) {
                    targets.add(target(clients, claimed, db, rc));
                }
                try {
                    targets = ListedDatabases.claim(coordinator, db.path(), targets);
                } catch (IOException e) {
                    out.add(new Litefleet.SyncOutcome(db.path(), 0, 0, 0,
                            Optional.of(e.getMessage() + ": not synced")));
                    continue;
                }
                for (int i = 0; i < targets.size(); i++) {
                    ReplicaConfig rc = db.replicas().get(i);
                    ReplicaTarget target = targets.get(i);
                    Maintenance m = settleEvery.isEmpty() ? null : Maintenance.create(target, plan.compaction());
                    replicators.add(DbReplicator.create(db.path(), target, catalog, rc.engine(db.engine()),
                            plan.clock(), m == null ? ref -> { } : m));
                    maintenance.add(m);
                }
            }
            for (int i = 0; i < replicators.size(); i++) {
                DbReplicator r = replicators.get(i);
                Maintenance m = maintenance.get(i);
                try (r) {
                    var result = r.sync();
                    Optional<String> failed = settleEvery.flatMap(every -> Optional.ofNullable(m
                            .settle(plan.clock().instant(), every).report().failure()))
                            .map(e -> "settling the replica failed: " + e.getMessage());
                    out.add(new Litefleet.SyncOutcome(r.path(), result.txid(), result.files(), result.bytes(),
                            failed));
                } catch (IOException e) {
                    out.add(new Litefleet.SyncOutcome(r.path(), 0, 0, 0, Optional.of(e.getMessage())));
                }
            }
            return out;
        }
    }

    /** The target of one listed database, refused when its replica overlaps another's. */
    static ReplicaTarget target(ReplicaClients clients, ReplicaOverlaps claimed, DbConfig db,
                                        ReplicaConfig rc) throws IOException {
        try {
            ReplicaTarget target = clients.resolve(rc);
            String who = db.replicas().size() == 1 ? db.path() + " (" + db.origin() + ")"
                    : db.path() + " (" + db.origin() + ", replica '" + rc.name() + "')";
            ReplicaOverlaps.Claim claim = new ReplicaOverlaps.Claim(who, target);
            claimed.add(claim).ifPresent(other -> {
                throw new ConfigException(ReplicaOverlaps.message(other, claim));
            });
            return target;
        } catch (ConfigException e) {
            if (e.getMessage().startsWith(db.origin())) {
                throw e; // it names the section already
            }
            throw new ConfigException(db.origin() + " (" + db.path() + "): " + e.getMessage(), e);
        }
    }

    private static <T extends AutoCloseable> T open(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    /**
     * Every listed database and where it replicates: one URL per destination, escaped as {@code litefleet restore}
     * takes it.
     */
    public Map<Path, List<String>> listed() {
        Map<Path, List<String>> m = new LinkedHashMap<>();
        listed.states().forEach(s -> m.put(s.path(), s.urls()));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The control socket's path, when it listens. */
    public Optional<Path> controlSocket() {
        return Optional.ofNullable(control).map(ControlServer::path);
    }

    /**
     * The TXID the replica of {@code db} holds, as the catalog recorded it at its last sync (0 when none yet); no
     * storage request.
     */
    public long txid(Path db) throws IOException {
        return catalog.get(db.toAbsolutePath().normalize().toString()).map(p -> p.txid()).orElse(0L);
    }

    /**
     * The requests sent to each replica destination since start, by operation and outcome, with the bytes moved; one
     * entry per destination, in the order they were first used. Still answers after {@link #close()}, with the final
     * syncs counted. No storage request.
     */
    public List<ReplicaRequests> requests() {
        return clients.requests().stream().map(Replication::requests).toList();
    }

    private static ReplicaRequests requests(RequestCounters c) {
        Map<ReplicaOperation, Map<ReplicaRequests.Outcome, Long>> counts = new EnumMap<>(ReplicaOperation.class);
        for (ReplicaOperation op : ReplicaOperation.values()) {
            Map<ReplicaRequests.Outcome, Long> byOutcome = new EnumMap<>(ReplicaRequests.Outcome.class);
            byOutcome.put(ReplicaRequests.Outcome.OK, c.count(op, null));
            for (ReplicaFailure f : ReplicaFailure.values()) {
                byOutcome.put(ReplicaRequests.Outcome.of(f), c.count(op, f));
            }
            counts.put(op, byOutcome);
        }
        return new ReplicaRequests(c.destination(), counts, c.bytesUp(), c.bytesDown());
    }

    /** The state directory in use. */
    public Path stateDir() {
        return stateDir;
    }

    /** The port of the HTTP endpoint (metrics, status API and page; {@code addr:}), if it listens. */
    public java.util.OptionalInt metricsPort() {
        return http == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(http.port());
    }

    /** Whether a fleet ({@code multi-db:}) runs. */
    public boolean hasFleet() {
        return fleet != null;
    }

    /** The counters now. */
    public ReplicationStatus status() {
        String line = cluster.map(c -> c.snapshot().line(clock.instant())).orElse("");
        if (fleet == null) {
            return new ReplicationStatus(listed.size(), false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false,
                    "", List.of(), 0, line);
        }
        FleetStatus s = fleet.status();
        return new ReplicationStatus(listed.size(), true, s.known(), s.hot(), s.cold(), s.deleted(), s.excluded(),
                s.promotions(), s.demotions(), s.evictions(), s.transients(), s.backlog(), s.running(), s.scans(),
                s.settles(), s.settlesPending(), s.captures(), s.watching(), s.watch().label(),
                s.unmatchedPatterns(), fleet.unreplicated().foreign(), line);
    }

    /**
     * The promotion hint: makes a fleet database hot now, before a burst of writes, as a change the tiering policy
     * promotes would (the cap and eviction still hold). Databases the fleet does not know are ignored.
     */
    public void promote(Path db) {
        Objects.requireNonNull(db, "db");
        if (fleet != null) {
            fleet.promote(db.toAbsolutePath().normalize());
        }
    }

    /**
     * Started with {@link Litefleet.Builder#manual}: does everything due at the clock's time (scans, syncs, passes,
     * settles, and what follows from them) on this thread, then returns.
     */
    public void runUntilIdle() {
        if (fleet != null) {
            fleet.runUntilIdle();
        } else {
            scheduler.runPending();
        }
    }

    /** Stops: the fleet, then every database's final sync, then the catalog, plugins and lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.stopping(); // the fleet's final syncs retry as the scheduler's do
        List<AutoCloseable> order = new ArrayList<>();
        Optional.ofNullable(control).ifPresent(order::add); // no command once stopping
        Optional.ofNullable(heartbeat).ifPresent(order::add); // no ping once stopping
        Optional.ofNullable(fleet).ifPresent(order::add);
        order.add(scheduler);
        order.add(coordinator); // after the final syncs: ends the session, releasing every database in one request
        Optional.ofNullable(http).ifPresent(order::add); // served while the final syncs run
        order.addAll(List.of(listed::close, catalog, clients, registry, lock));
        closeAll(order, null);
    }

    private static void closeAll(List<AutoCloseable> resources, Throwable primary) {
        RuntimeException failure = null;
        for (AutoCloseable c : resources) {
            try {
                c.close();
            } catch (Exception e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (failure == null) {
                    failure = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * What to start, as the builder collected it.
     *
     * @param dbs        the listed databases
     * @param fleet      fleet mode, if configured
     * @param compaction compaction, snapshots and retention
     * @param stateDir   the state directory
     * @param pluginsDir drop-in plugins, if any
     * @param clock      the clock
     * @param manual     no threads: the caller drives with {@link #runUntilIdle()}
     * @param http       the HTTP endpoint (metrics, status API and page), if on
     * @param shutdownSync how hard a stop retries the final syncs
     * @param heartbeat  upstream's heartbeat, if configured
     * @param socket     the control socket to listen on, if enabled
     * @param cluster    the {@code cluster:} section (its coordinator is opened at start, closed at stop)
     */
    record Plan(List<DbConfig> dbs, Optional<FleetConfig> fleet, CompactionSettings compaction, Path stateDir,
                Optional<Path> pluginsDir, Clock clock, boolean manual, HttpConfig http,
                ShutdownSync shutdownSync, Optional<HeartbeatConfig> heartbeat, Optional<SocketConfig> socket,
                ClusterConfig cluster) {
    }
}
