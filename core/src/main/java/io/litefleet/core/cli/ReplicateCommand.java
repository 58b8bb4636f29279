package io.litefleet.core.cli;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.ReplicaClients;
import io.litefleet.core.engine.ReplicaOverlaps;
import io.litefleet.core.engine.ReplicaTarget;
import io.litefleet.core.engine.SyncScheduler;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.StateLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code litefleet replicate}: streams databases until stopped (SIGTERM/SIGINT flush and exit). */
@Command(name = "replicate", description = {"Continuously replicate SQLite databases.",
    "  litefleet replicate <db-path> <replica-url>", "  litefleet replicate -config <file>"})
final class ReplicateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-config", "--config"}, paramLabel = "FILE", description = "Configuration file (Litestream's "
            + "dbs: syntax, or multi-db:).")
    Path config;

    @Option(names = {"--state-dir"}, paramLabel = "DIR", description = "State directory (default: state-dir: in "
            + "the config, $LITEFLEET_STATE_DIR, or $XDG_DATA_HOME/litefleet).")
    Path stateDir;

    @Option(names = {"--plugins-dir"}, paramLabel = "DIR", description = PluginsDir.DESCRIPTION)
    Path pluginsDir;

    @Option(names = {"-sync-interval", "--sync-interval"}, paramLabel = "DURATION",
            description = "Sync interval for a database given on the command line (default 1s).")
    String syncInterval;

    @Option(names = {"-once", "--once"}, description = "Sync every database once, then exit.")
    boolean once;

    private Optional<FleetConfig> fleet = Optional.empty();

    @Parameters(arity = "0..2", paramLabel = "ARG", description = "<db-path> <replica-url>")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        StopOnce stop = new StopOnce();
        if (once) {
            return start(stop); // one pass, not a daemon: signals keep the JVM's default
        }
        // First thing: a SIGTERM while starting (config, state lock, catalog, plugins, fleet) ends the start
        // cleanly with exit 0; installed only after the start, it met the JVM's default (exit 143).
        Thread hook = new Thread(stop, "litefleet-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (StopSignals signals = StopSignals.install(stop)) {
            return start(stop);
        } finally {
            stop.finished();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // the JVM is already shutting down: the hook has run or is running
            }
        }
    }

    private int start(StopOnce stop) throws IOException, InterruptedException {
        List<DbConfig> dbs;
        Optional<Path> configState = Optional.empty();
        CompactionSettings compaction = CompactionSettings.defaults();
        if (config != null) {
            if (!args.isEmpty()) {
                throw new UserException("give either -config <file> or <db-path> <replica-url>, not both");
            }
            LitefleetConfig c = LitefleetConfig.load(config.toAbsolutePath());
            fleet = c.fleet();
            if (c.dbs().isEmpty() && fleet.isEmpty()) {
                throw new UserException(config + ": no databases configured (dbs: is empty and there is no "
                        + "enabled multi-db: section)");
            }
            dbs = c.dbs();
            configState = fleet.flatMap(FleetConfig::stateDir).or(c::stateDir);
            compaction = c.compaction();
        } else {
            if (args.size() != 2) {
                throw new UserException("usage: litefleet replicate <db-path> <replica-url>, or -config <file>");
            }
            dbs = List.of(fromArgs(args.get(0), args.get(1)));
        }
        Path state = StateDirs.resolve(stateDir, configState);
        return run(dbs, state, compaction, stop);
    }

    private DbConfig fromArgs(String dbPath, String url) {
        URI uri = ReplicaUrl.parse(url);
        Duration sync = syncInterval == null ? EngineSettings.DEFAULTS.syncInterval()
                : Settings.parseDuration(syncInterval).filter(d -> !d.isZero()).orElseThrow(() -> new UserException(
                        "-sync-interval must be a duration such as 1s or 500ms, got '" + syncInterval + "'"));
        ReplicaConfig rc = new ReplicaConfig(uri.getScheme(), Optional.of(uri), new Settings("command line",
                Map.of()), sync);
        return new DbConfig(Path.of(dbPath).toAbsolutePath().normalize(), rc,
                EngineSettings.DEFAULTS.withSyncInterval(sync), "command line");
    }

    private int run(List<DbConfig> dbs, Path state, CompactionSettings compaction, StopOnce stop)
            throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Clock clock = Clock.systemUTC();
        try (StateLock lock = StateLock.acquire(state);
             PluginRegistry registry = PluginRegistry.open(PluginsDir.resolve(pluginsDir));
             ReplicaClients clients = new ReplicaClients(registry);
             Catalog catalog = Catalog.open(state)) {
            List<DbReplicator> replicators = new ArrayList<>();
            List<Maintenance> maintenance = new ArrayList<>();
            ReplicaOverlaps claimed = new ReplicaOverlaps();
            for (DbConfig db : dbs) {
                try {
                    ReplicaTarget target = clients.resolve(db.replica());
                    ReplicaOverlaps.Claim claim = new ReplicaOverlaps.Claim(db.path() + " (" + db.origin() + ")",
                            target);
                    claimed.add(claim).ifPresent(other -> {
                        throw new ConfigException(ReplicaOverlaps.message(other, claim));
                    });
                    Maintenance m = Maintenance.create(target, compaction);
                    maintenance.add(m);
                    replicators.add(DbReplicator.create(db.path(), target, catalog, db.engine(), clock,
                            m::onUploaded));
                } catch (ConfigException e) {
                    throw new ConfigException(db.origin() + " (" + db.path() + "): " + e.getMessage(), e);
                }
            }
            if (once) {
                if (fleet.isPresent()) {
                    throw new UserException("-once applies to dbs: only; fleet mode runs until stopped");
                }
                return syncOnce(replicators, out);
            }
            if (stop.isRequested()) {
                return stoppedWhileStarting(out); // nothing opened a database yet: nothing to flush
            }
            FleetManager fleetManager = fleet.isPresent()
                    ? FleetRunner.start(fleet.get(), compaction, registry, clients, catalog, clock, claimed) : null;
            int threads = Math.max(1, Math.min(replicators.size(), Math.max(2,
                    Runtime.getRuntime().availableProcessors())));
            SyncScheduler scheduler = SyncScheduler.start(threads, clock, ev -> { });
            for (int i = 0; i < replicators.size(); i++) {
                scheduler.add(replicators.get(i), dbs.get(i).engine().syncInterval(), maintenance.get(i));
            }
            Runnable closeAll = () -> {
                if (fleetManager != null) {
                    fleetManager.close();
                }
                scheduler.close();
            };
            if (!stop.arm(closeAll)) {
                closeAll.run(); // final syncs of whatever started meanwhile, as a stop would
                return stoppedWhileStarting(out);
            }
            for (DbReplicator r : replicators) {
                out.println("replicating " + r.path() + " to " + r.target().url());
            }
            out.println("state directory: " + state);
            if (fleetManager != null) {
                out.println("fleet mode: patterns " + fleet.get().patterns() + ", max-hot-databases "
                        + fleet.get().maxHotDatabases());
            }
            out.flush();
            while (!stop.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                if (fleetManager != null) {
                    System.getLogger("io.litefleet.fleet").log(System.Logger.Level.INFO, fleetManager.status()
                            .toString());
                }
            }
            return 0;
        }
    }

    private static int stoppedWhileStarting(PrintWriter out) {
        out.println("stopped while starting; what had started is flushed");
        out.flush();
        return 0;
    }

    private static int syncOnce(List<DbReplicator> replicators, PrintWriter out) throws IOException {
        int failed = 0;
        for (DbReplicator r : replicators) {
            try (r) {
                var result = r.sync();
                out.printf("%s: TXID %x (%d files, %d bytes)%n", r.path(), result.txid(), result.files(),
                        result.bytes());
            } catch (IOException e) {
                out.printf("%s: FAILED: %s%n", r.path(), e.getMessage());
                failed++;
            }
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
