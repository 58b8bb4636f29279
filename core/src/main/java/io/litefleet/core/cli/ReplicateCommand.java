package io.litefleet.core.cli;

import io.litefleet.api.Settings;
import io.litefleet.core.Litefleet;
import io.litefleet.core.ReplicaRequests;
import io.litefleet.core.Replication;
import io.litefleet.core.ReplicationStatus;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.LoggingConfig;
import io.litefleet.core.engine.EngineSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code litefleet replicate}: streams databases until stopped (SIGTERM/SIGINT flush and exit). */
@Command(name = "replicate", description = {"Continuously replicate SQLite databases.",
    "  litefleet replicate <db-path> <replica-url>", "  litefleet replicate -config <file>"})
final class ReplicateCommand implements Callable<Integer> {
    private static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(30);

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

    @Option(names = "--status-interval", paramLabel = "DURATION", description = "How often fleet mode logs its "
            + "status line (default 30s).")
    String statusInterval;

    @Option(names = {"-once", "--once"}, description = "Sync every database once, then exit.")
    boolean once;

    @Option(names = {"-exec", "--exec"}, paramLabel = "CMD", description = "Run CMD as a child once replication "
            + "has started; SIGINT/SIGTERM are forwarded to it; when it exits, replication is flushed and stopped "
            + "(exit 0 if it exited 0, else 1). Overrides exec: in the config.")
    String exec;

    @Option(names = {"-restore-if-db-not-exists", "--restore-if-db-not-exists"}, description = "Before "
            + "replicating, restore each database that does not exist from its replica (none there yet: start "
            + "fresh).")
    boolean restoreIfDbNotExists;

    @Option(names = {"-force-snapshot", "--force-snapshot"}, description = "With -once: also write a snapshot "
            + "of each database's latest state to its replica.")
    boolean forceSnapshot;

    @Option(names = {"-enforce-retention", "--enforce-retention"}, description = "With -once: also settle each "
            + "replica (compaction, retention, a snapshot when the newest is older than the snapshot interval).")
    boolean enforceRetention;

    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", description = "trace, debug, info, "
            + "warn or error; overrides logging.level in the config.")
    String logLevel;

    @Option(names = {"-no-expand-env", "--no-expand-env"}, description = "Read the config without expanding "
            + "$VAR and ${VAR}.")
    boolean noExpandEnv;

    @Parameters(arity = "0..2", paramLabel = "ARG", description = "<db-path> <replica-url>")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        StopOnce stop = new StopOnce();
        checkFlags();
        if (once) {
            return start(stop, null); // one pass, not a daemon: signals keep the JVM's default
        }
        // A signal stops replication, or once an -exec child runs, goes to the child (see ExecRun).
        AtomicReference<Consumer<String>> onSignal = new AtomicReference<>(sig -> stop.run());
        // First thing: a SIGTERM while starting (config, state lock, catalog, plugins, fleet) ends the start
        // cleanly with exit 0; installed only after the start, it met the JVM's default (exit 143).
        Thread hook = new Thread(stop, "litefleet-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (StopSignals signals = StopSignals.install(sig -> onSignal.get().accept(sig))) {
            return start(stop, onSignal);
        } finally {
            stop.finished();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // the JVM is already shutting down: the hook has run or is running
            }
        }
    }

    /** Upstream's flag combinations, refused before anything starts. */
    private void checkFlags() {
        if (once && exec != null) {
            throw new UserException("cannot specify -once flag with -exec");
        }
        if (forceSnapshot && !once) {
            throw new UserException("cannot specify -force-snapshot flag without -once");
        }
        if (enforceRetention && !once) {
            throw new UserException("cannot specify -enforce-retention flag without -once");
        }
        if (exec != null && exec.isBlank()) {
            throw new UserException("-exec needs a command, for example -exec \"myapp serve\"");
        }
    }

    private int start(StopOnce stop, AtomicReference<Consumer<String>> onSignal)
            throws IOException, InterruptedException {
        Litefleet.Builder builder = Litefleet.builder();
        LitefleetConfig c = null;
        Optional<System.Logger.Level> level = LogLevels.parse(logLevel, System.getenv("LOG_LEVEL"));
        if (config == null && args.isEmpty()) { // as upstream: $LITESTREAM_CONFIG, else /etc/litestream.yml
            config = ConfigPaths.configOrDefault(null);
        }
        if (config != null) {
            if (!args.isEmpty()) {
                throw new UserException("give either -config <file> or <db-path> <replica-url>, not both");
            }
            c = LitefleetConfig.load(config.toAbsolutePath(), !noExpandEnv);
            LogSetup.apply(LogLevels.override(c.logging(), level));
            if (c.dbs().isEmpty() && c.fleet().isEmpty() && !c.socket().enabled()) {
                throw new UserException(config + ": no databases configured (dbs: is empty and there is no "
                        + "enabled multi-db: section)");
            }
            builder.config(c);
        } else {
            if (args.size() != 2) {
                throw new UserException("usage: litefleet replicate <db-path> <replica-url>, or -config <file>");
            }
            level.ifPresent(l -> LogSetup.apply(LogLevels.override(LoggingConfig.DEFAULTS, level)));
            builder.database(Path.of(args.get(0)), args.get(1), syncInterval());
            builder.shutdownSync(Duration.ofSeconds(30), Duration.ofMillis(500)); // upstream's defaults
        }
        Optional<String> command = exec != null ? Optional.of(exec) : c == null ? Optional.empty() : c.exec();
        if (once && command.isPresent()) {
            throw new UserException("cannot specify -once flag with -exec (exec: is set in " + config + ")");
        }
        builder.stateDir(StateDirs.resolve(stateDir, builder.resolvedStateDir()));
        PluginsDir.resolve(pluginsDir).ifPresent(builder::pluginsDir);
        FirstBootRestore.run(builder.databases(), restoreIfDbNotExists, PluginsDir.resolve(pluginsDir),
                Clock.systemUTC());
        PrintWriter out = spec.commandLine().getOut();
        if (once) {
            if (c != null && c.fleet().isPresent()) {
                throw new UserException("-once applies to dbs: only; fleet mode runs until stopped");
            }
            return syncOnce(builder.syncOnce(forceSnapshot, enforceRetention), out);
        }
        Duration every = statusInterval();
        if (stop.isRequested()) {
            return stoppedWhileStarting(out); // nothing opened a database yet: nothing to flush
        }
        Replication replication = builder.start();
        try (replication) {
            if (!stop.arm(replication::close)) {
                replication.close(); // final syncs of whatever started meanwhile, as a stop would
                return stoppedWhileStarting(out);
            }
            replication.listed().forEach((db, urls) -> urls.forEach(url -> out.println("replicating " + db
                    + " to " + url)));
            out.println("state directory: " + replication.stateDir());
            replication.controlSocket().ifPresent(p -> out.println("control socket: " + p));
            if (c != null && c.fleet().isPresent()) {
                c.fleet().get().directories().forEach(d -> out.println("directory mode: " + d.describe()));
                out.println("fleet mode: patterns " + c.fleet().get().patterns() + ", max-hot-databases "
                        + c.fleet().get().maxHotDatabases());
            }
            out.flush();
            if (command.isPresent()) {
                return ExecRun.run(command.get(), stop, onSignal, every, () -> logStatus(replication));
            }
            while (!stop.await(every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                logStatus(replication);
            }
            return 0;
        } finally {
            logRequests(replication); // closed by now: the final syncs are counted
        }
    }

    private static void logStatus(Replication replication) {
        ReplicationStatus status = replication.status();
        if (replication.hasFleet() || !status.cluster().isEmpty()) {
            System.getLogger("io.litefleet.fleet").log(System.Logger.Level.INFO, status.toString());
        }
    }

    /** One line per destination: what was sent to it, by operation and outcome, and the bytes moved. */
    private static void logRequests(Replication replication) {
        System.Logger log = System.getLogger("io.litefleet.replicate");
        for (ReplicaRequests r : replication.requests()) {
            log.log(System.Logger.Level.INFO, r.summary());
        }
    }

    private Duration statusInterval() {
        return statusInterval == null ? DEFAULT_STATUS_INTERVAL
                : Settings.parseDuration(statusInterval).filter(d -> !d.isZero()).orElseThrow(() -> new UserException(
                        "--status-interval must be a duration such as 30s or 1m, got '" + statusInterval + "'"));
    }

    private Duration syncInterval() {
        return syncInterval == null ? EngineSettings.DEFAULTS.syncInterval()
                : Settings.parseDuration(syncInterval).filter(d -> !d.isZero()).orElseThrow(() -> new UserException(
                        "-sync-interval must be a duration such as 1s or 500ms, got '" + syncInterval + "'"));
    }

    private static int stoppedWhileStarting(PrintWriter out) {
        out.println("stopped while starting; what had started is flushed");
        out.flush();
        return 0;
    }

    private static int syncOnce(List<Litefleet.SyncOutcome> outcomes, PrintWriter out) {
        int failed = 0;
        for (Litefleet.SyncOutcome o : outcomes) {
            if (o.error().isPresent()) {
                out.printf("%s: FAILED: %s%n", o.db(), o.error().get());
                failed++;
            } else {
                out.printf("%s: TXID %x (%d files, %d bytes)%n", o.db(), o.txid(), o.files(), o.bytes());
            }
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
