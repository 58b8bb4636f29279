package io.litefleet.core.cli;

import io.litefleet.api.ConfigException;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.ReplicaTemplate;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.ReplicaClients;
import io.litefleet.core.engine.ReplicaOverlaps;
import io.litefleet.core.engine.ReplicaTarget;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetOptions;
import io.litefleet.core.fleet.TargetResolver;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.state.Catalog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Builds a {@link FleetManager} from the {@code multi-db:} section: plugins, template, budget checks. */
final class FleetRunner {
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

    private FleetRunner() {
    }

    static FleetManager start(FleetConfig fleet, CompactionSettings compaction, PluginRegistry registry,
                              ReplicaClients clients, Catalog catalog, Clock clock) throws IOException {
        return start(fleet, compaction, registry, clients, catalog, clock, new ReplicaOverlaps());
    }

    /**
     * Starts the fleet. A fleet database whose replica is the same as, or nested with, one in {@code claimed} (the
     * {@code dbs:} entries) is not replicated: it is excluded with an error naming both.
     */
    static FleetManager start(FleetConfig fleet, CompactionSettings compaction, PluginRegistry registry,
                              ReplicaClients clients, Catalog catalog, Clock clock, ReplicaOverlaps claimed)
            throws IOException {
        int workers = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);
        int transients = Math.max(2, workers);
        checkDescriptorBudget(fleet, transients);
        // The discovery's settings already carry the fleet's patterns (FleetSections.discovery).
        Discovery patterns = registry.discovery(fleet.discovery().type(), fleet.origin())
                .create(fleet.discovery().settings());
        // Databases listed under dbs: are replicated there, and the state directory is ours: the fleet never sees them.
        Discovery discovery = LeavingOutDiscovery.of(patterns, fleet.excludedPaths(), catalog.directory());
        try {
            stateDirWarning(patterns, catalog.directory()).ifPresent(w ->
                    System.getLogger(FleetRunner.class.getName()).log(System.Logger.Level.WARNING, w));
            ReplicaTemplate template = fleet.replicaTemplate();
            for (String warning : template.validate(discovery.variableNames())) {
                System.getLogger(FleetRunner.class.getName()).log(System.Logger.Level.WARNING, warning);
            }
            TieringPolicy policy = registry.tieringPolicy(fleet.tiering().policy().type(), fleet.origin())
                    .create(fleet.tiering().policy().settings());
            TargetResolver resolver = new TargetResolver() {
                @Override
                public String replicaPath(DiscoveredDatabase db) {
                    String path = template.resolvePath(db);
                    if (!claimed.isEmpty()) {
                        checkNotClaimed(db);
                    }
                    return path;
                }

                private void checkNotClaimed(DiscoveredDatabase db) {
                    try {
                        checkNotClaimed(db, clients.resolve(template.resolve(db)));
                    } catch (IOException e) {
                        // resolve() reports it when the database is first synced
                    }
                }

                private void checkNotClaimed(DiscoveredDatabase db, ReplicaTarget target) {
                    claimed.overlapping(target).ifPresent(other -> {
                        throw new ConfigException(ReplicaOverlaps.message(other,
                                new ReplicaOverlaps.Claim(db.path() + " (" + fleet.origin() + ")", target)));
                    });
                }

                @Override
                public ReplicaTarget resolve(DiscoveredDatabase db) throws IOException {
                    ReplicaTarget target = clients.resolve(template.resolve(db));
                    // Checked here too: every sync path resolves, whatever state the row went through.
                    checkNotClaimed(db, target);
                    return target;
                }
            };
            EngineSettings engine = EngineSettings.DEFAULTS.withSyncInterval(template.base().syncInterval());
            FleetOptions options = new FleetOptions(fleet.maxHotDatabases(), fleet.scanInterval(), workers,
                    transients, engine.syncInterval().multipliedBy(2).plus(Duration.ofSeconds(1)), engine, compaction,
                    fleet.coldSnapshotInterval());
            return FleetManager.start(discovery, List.copyOf(fleet.patterns()), policy, resolver, catalog, options,
                    clock);
        } catch (IOException | RuntimeException e) {
            discovery.close();
            throw e;
        }
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
        long need = (long) fleet.maxHotDatabases() * FDS_PER_HOT + (long) transients * FDS_PER_TRANSIENT
                + FDS_RESERVED;
        if (limit > 0 && need > limit) {
            long fits = Math.max(0, (limit - FDS_RESERVED - (long) transients * FDS_PER_TRANSIENT) / FDS_PER_HOT);
            throw new ConfigException(fleet.origin() + ": max-hot-databases: " + fleet.maxHotDatabases()
                    + " needs up to " + need + " file descriptors (" + FDS_PER_HOT + " per hot database), but this "
                    + "process may open " + limit + "; raise the limit (ulimit -n) or set max-hot-databases to at "
                    + "most " + fits);
        }
    }

    static long maxDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            return u.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
