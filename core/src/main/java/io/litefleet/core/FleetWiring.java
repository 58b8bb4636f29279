package io.litefleet.core;

import io.litefleet.api.ConfigException;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.DirectoryConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.config.ReplicaTemplate;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.replica.ReplicaOverlaps;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetOptions;
import io.litefleet.core.fleet.SyncScheduler;
import io.litefleet.core.fleet.TargetResolver;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.state.Catalog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link FleetManager} from the {@code multi-db:} section and the directory-mode {@code dbs:} entries:
 * plugins, templates, budget checks.
 */
final class FleetWiring {
    /**
     * Descriptors a hot database holds between syncs: its connection's database, {@code -wal} and {@code -shm} (a
     * database-file read during a sync is given back at its end).
     */
    static final int FDS_PER_HOT = 3;
    /**
     * Descriptors one running sync may add for a moment, per sync worker (syncs run only on the workers): a transient
     * pass's own connection (3), or a hot sync's WAL reader, database-file read and checkpoint connection.
     */
    static final int FDS_PER_TRANSIENT = 5;
    /** Descriptors kept for the JVM, sockets and the catalog. */
    static final int FDS_RESERVED = 256;

    private FleetWiring() {
    }

    /**
     * Starts the fleet of {@code fleet} on the process's {@code scheduler}. A fleet database whose replica is the
     * same as, or nested with, one in {@code claimed} (the {@code dbs:} entries) is not replicated: it is excluded
     * with an error naming both. {@code manual}: no fleet thread (see {@link FleetManager#manual}).
     */
    static FleetManager start(FleetConfig fleet, CompactionSettings compaction, PluginRegistry registry,
                              ReplicaClients clients, Catalog catalog, Clock clock, ReplicaOverlaps claimed,
                              SyncScheduler scheduler, boolean manual, io.litefleet.api.cluster.Coordinator coordinator)
            throws IOException {
        int workers = fleetWorkers(fleet);
        int transients = workers;
        checkDescriptorBudget(fleet, transients);
        Discovery patterns = discovery(fleet, registry);
        // Databases listed under dbs: are replicated there, and the state directory is ours: the fleet never sees them.
        Discovery discovery = LeavingOutDiscovery.of(patterns, fleet.excludedPaths(), catalog.directory());
        try {
            for (String warning : warnings(fleet, patterns, catalog.directory())) {
                System.getLogger(FleetWiring.class.getName()).log(System.Logger.Level.WARNING, warning);
            }
            List<ReplicaTemplate> templates = fleet.replicaTemplates();
            TieringPolicy policy = registry.tieringPolicy(fleet.tiering().policy().type(), fleet.origin())
                    .create(fleet.tiering().policy().settings());
            TargetResolver resolver = resolver(fleet, templates, clients, claimed);
            // One engine for the fleet: the first template's (else the first directory replica's) sync interval and
            // file limit; parsing makes every directory replica agree on the interval.
            io.litefleet.core.config.ReplicaConfig first = templates.isEmpty()
                    ? fleet.directories().get(0).replicas().get(0) : templates.get(0).base();
            EngineSettings engine = first.engine(EngineSettings.DEFAULTS).withConvertToWal(fleet.convertToWal());
            FleetOptions options = new FleetOptions(fleet.maxHotDatabases(), fleet.scanInterval(), workers,
                    transients, engine.syncInterval().multipliedBy(2).plus(Duration.ofSeconds(1)), engine, compaction,
                    fleet.coldSnapshotInterval(), fleet.fullScanInterval());
            List<String> names = new ArrayList<>(fleet.directories().stream().map(DirectoryConfig::glob).toList());
            names.addAll(fleet.patterns());
            return manual
                    ? FleetManager.manual(discovery, names, policy, resolver, catalog, options, clock, scheduler,
                            coordinator)
                    : FleetManager.start(discovery, names, policy, resolver, catalog, options, clock, scheduler,
                            coordinator);
        } catch (IOException | RuntimeException e) {
            discovery.close();
            throw e;
        }
    }

    /**
     * What the start warns about: a pattern that matches the state directory, and template variables no placeholder
     * uses (databases differing only in them would collide).
     */
    static List<String> warnings(FleetConfig fleet, Discovery patterns, Path stateDir) {
        List<String> out = new ArrayList<>();
        stateDirWarning(patterns, stateDir).ifPresent(out::add);
        Map<String, List<String>> templated = new LinkedHashMap<>(patterns.variableNames());
        templated.keySet().retainAll(fleet.patterns()); // directory entries place databases without a template
        for (ReplicaTemplate template : fleet.replicaTemplates()) {
            out.addAll(template.validate(templated));
        }
        return out;
    }

    /**
     * The fleet's discovery: the directory entries' (first: a database both find is theirs) and the {@code multi-db:}
     * patterns' plugin.
     */
    static Discovery discovery(FleetConfig fleet, PluginRegistry registry) throws IOException {
        Discovery patterns = fleet.patterns().isEmpty() ? null
                : registry.discovery(fleet.discovery().type(), fleet.origin()).create(fleet.discovery().settings());
        if (fleet.directories().isEmpty()) {
            return patterns;
        }
        Discovery dirs;
        try {
            dirs = DirectoryDiscovery.open(fleet.directories(), registry, fleet.origin());
        } catch (IOException | RuntimeException e) {
            if (patterns != null) {
                patterns.close();
            }
            throw e;
        }
        return patterns == null ? dirs : CombinedDiscovery.of(dirs, patterns);
    }

    /**
     * The replicas of one fleet database: its directory entry's replicas joined with its relative path, or the
     * templates filled from its pattern's variables.
     */
    static List<ReplicaConfig> replicas(FleetConfig fleet, DiscoveredDatabase db) {
        Optional<DirectoryConfig> dir = fleet.directory(db.pattern());
        if (dir.isPresent()) {
            return dir.get().replicasFor(db.path());
        }
        return fleet.replicaTemplates().stream().map(t -> t.resolve(db)).toList();
    }

    /**
     * A fleet database as a listed one, placed as the fleet places it (its file need not exist).
     *
     * @throws ConfigException when no pattern or directory entry of {@code fleet} covers {@code db}
     */
    static DbConfig asListed(FleetConfig fleet, Path db, Path pluginsDir) {
        try (PluginRegistry registry = PluginRegistry.open(Optional.ofNullable(pluginsDir));
             Discovery discovery = discovery(fleet, registry)) {
            DiscoveredDatabase match = discovery.match(db);
            if (match == null || fleet.isExcluded(db)) {
                throw new ConfigException(fleet.origin() + ": " + db + " is not a configured database (not under "
                        + "dbs:, and no multi-db: pattern or dir: entry covers it)");
            }
            List<ReplicaConfig> replicas = replicas(fleet, match);
            EngineSettings engine = replicas.get(0).engine(EngineSettings.DEFAULTS)
                    .withConvertToWal(fleet.convertToWal());
            return new DbConfig(db, replicas, engine, fleet.origin(), false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Targets from the templates, one per destination. A database's replica path for collision detection is every
     * destination's path joined; each target is checked against the {@code dbs:} claims whenever it is resolved (every
     * sync path resolves, whatever state the row went through).
     */
    static TargetResolver resolver(FleetConfig fleet, List<ReplicaTemplate> templates, ReplicaClients clients,
                                           ReplicaOverlaps claimed) {
        return new TargetResolver() {
            @Override
            public String replicaPath(DiscoveredDatabase db) {
                StringBuilder path = new StringBuilder();
                Optional<DirectoryConfig> dir = fleet.directory(db.pattern());
                if (dir.isPresent()) {
                    for (ReplicaConfig r : dir.get().replicasFor(db.path())) {
                        path.append(path.length() == 0 ? "" : "\n").append(r.url().map(java.net.URI::getPath)
                                .orElseGet(() -> r.backend().string("path").orElse("")));
                    }
                } else {
                    for (ReplicaTemplate t : templates) {
                        path.append(path.length() == 0 ? "" : "\n").append(t.resolvePath(db));
                    }
                }
                if (!claimed.isEmpty()) {
                    try {
                        resolveAll(db);
                    } catch (IOException e) {
                        // resolveAll() reports it when the database is first synced
                    }
                }
                return path.toString();
            }

            @Override
            public ReplicaTarget resolve(DiscoveredDatabase db) throws IOException {
                return resolveAll(db).get(0);
            }

            @Override
            public List<ReplicaTarget> resolveAll(DiscoveredDatabase db) throws IOException {
                List<ReplicaConfig> configs = replicas(fleet, db);
                List<ReplicaTarget> targets = new ArrayList<>(configs.size());
                for (ReplicaConfig rc : configs) {
                    ReplicaTarget target = clients.resolve(rc);
                    claimed.overlapping(target).ifPresent(other -> {
                        throw new ConfigException(ReplicaOverlaps.message(other,
                                new ReplicaOverlaps.Claim(db.path() + " (" + fleet.origin() + ")", target)));
                    });
                    targets.add(target);
                }
                return List.copyOf(targets);
            }
        };
    }

    /**
     * What to say at start when a pattern matches the state directory's catalog (as written or through symlinks):
     * the fleet leaves the state directory out, so the catalog is not replicated at every sync forever.
     */
    static java.util.Optional<String> stateDirWarning(Discovery discovery, Path stateDir) {
        Path catalog = stateDir.resolve(Catalog.FILE_NAME);
        DiscoveredDatabase match = discovery.match(catalog);
        if (match == null) {
            try {
                match = discovery.match(catalog.toRealPath());
            } catch (IOException e) {
                // not there yet: as written is all there is to check
            }
        }
        if (match == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("state directory " + stateDir + " is inside multi-db pattern '" + match.pattern()
                + "' (it matches the catalog " + catalog + "); the fleet leaves the state directory and everything "
                + "under it out. Move state-dir outside the patterns to silence this");
    }

    /** Refuses a hot cap the process's descriptor limit cannot hold, naming the key and the numbers. */
    static void checkDescriptorBudget(FleetConfig fleet, int transients) {
        long limit = maxDescriptors();
        int perHot = FDS_PER_HOT * fleet.destinations(); // one connection per destination
        long need = (long) fleet.maxHotDatabases() * perHot + (long) transients * FDS_PER_TRANSIENT
                + FDS_RESERVED;
        if (limit > 0 && need > limit) {
            long fits = Math.max(0, (limit - FDS_RESERVED - (long) transients * FDS_PER_TRANSIENT) / perHot);
            throw new ConfigException(fleet.origin() + ": max-hot-databases: " + fleet.maxHotDatabases()
                    + " needs up to " + need + " file descriptors (" + perHot + " per hot database), but this "
                    + "process may open " + limit + "; raise the limit (ulimit -n) or set max-hot-databases to at "
                    + "most " + fits);
        }
    }

    /**
     * Sync workers for the process. Where every destination is a local directory, four per core and at least four: a
     * first capture waits on about six fsyncs (the LTX file, its new directories, the catalog), so with two per core
     * a 100,000-database first capture used 1.3 of 2 cores and took 88.7 s; with four per core 80.3 s (bench/capture,
     * one run each, quiet). With a destination reached over the network, four per core and
     * at least 16: a first capture waits on the store for its LIST on the worker that opened the database, and holds
     * its pass until the upload is acknowledged, so at 50 ms a request 4 workers captured about 35 databases a second
     * (bench/cost, 10,000 databases in 281 s) where the store would take many more.
     */
    static int syncWorkers(boolean networked) {
        int cores = Runtime.getRuntime().availableProcessors();
        return networked ? Math.max(16, cores * 4) : Math.max(4, cores * 4);
    }

    /** The sync workers, and transient passes in flight, that the destinations of {@code fleet} call for. */
    static int fleetWorkers(FleetConfig fleet) {
        return syncWorkers(networked(List.of(), Optional.of(fleet)));
    }

    /** Whether a destination of {@code dbs} or {@code fleet} is reached over the network (any type but file). */
    static boolean networked(List<DbConfig> dbs, Optional<FleetConfig> fleet) {
        List<ReplicaConfig> all = new ArrayList<>();
        dbs.forEach(d -> all.addAll(d.replicas()));
        fleet.ifPresent(f -> {
            f.replicaTemplates().forEach(t -> all.add(t.base()));
            f.directories().forEach(d -> all.addAll(d.replicas()));
        });
        return all.stream().anyMatch(r -> !"file".equals(r.type()));
    }

    static long maxDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            return u.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
