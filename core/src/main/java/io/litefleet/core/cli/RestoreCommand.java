package io.litefleet.core.cli;

import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.restore.ReplicaSource;
import io.litefleet.core.restore.RestoreGapException;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.restore.GenerationsRestore;
import io.litefleet.core.restore.IntegrityCheck;
import io.litefleet.api.Settings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import io.litefleet.core.replica.RetryPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet restore -o <out> [-txid <hex> | -timestamp <RFC3339>] [-force] [-parallelism N] [-dry-run]
 * [-if-db-not-exists] [-if-replica-exists] [-integrity-check none|quick|full] [-json] [-f [-follow-interval D]]
 * <replica-url | db-path>}: rebuilds a database from a replica, with upstream's flag spellings and outcomes (each
 * flag also with {@code --}). {@code -f} is upstream's follow mode ({@link RestoreFollow}).
 */
@Command(name = "restore", description = {"Rebuild a database from a replica (latest, at a TXID or at a time).",
    "Bulk: restore -config FILE -o DIR (--all | --prefix P | --pattern GLOB) [-timestamp T] [-parallelism N] "
        + "[-dry-run] [-json]: many databases, each to DIR followed by its absolute path; resumable "
        + "(DIR/.litefleet-restore.journal); exit 1 when any failed."})
final class RestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "The database file to create.")
    Path output;

    @Option(names = {"-txid", "--txid"}, paramLabel = "TXID",
            description = "Restore the state after this hex transaction ID (inclusive).")
    String txid;

    @Option(names = {"-timestamp", "--timestamp"}, paramLabel = "TIME",
            description = "Restore the state at this RFC 3339 time, for example 2025-01-02T03:04:05Z.")
    String timestamp;

    @Option(names = {"-force", "--force"}, description = "Replace an existing output and its -wal/-shm/-journal.")
    boolean force;

    @Option(names = {"-f", "--follow"}, description = "Follow mode: after restoring, keep applying new changes "
            + "from the replica until SIGINT/SIGTERM (a read replica: open it read-only). Resumes from <out>-txid "
            + "when the output exists; an output without it is refused, never replaced.")
    boolean follow;

    @Option(names = {"-follow-interval", "--follow-interval"}, paramLabel = "DURATION",
            description = "How often follow mode polls the replica (default: 1s).")
    String followInterval;

    @Option(names = {"-if-db-not-exists", "--if-db-not-exists"},
            description = "Exit 0 without restoring when the output database already exists.")
    boolean ifDbNotExists;

    @Option(names = {"-if-replica-exists", "--if-replica-exists"},
            description = "Exit 0 without restoring when the replica holds no backup.")
    boolean ifReplicaExists;

    @Option(names = {"-integrity-check", "--integrity-check"}, paramLabel = "MODE",
            description = "Check the restored database before installing it: none, quick (quick_check) or full "
                    + "(integrity_check); a failure installs nothing and exits 1 (default: full).")
    String integrityCheck;

    @Option(names = {"-json", "--json"}, description = "Print the result (or the -dry-run plan) as JSON with "
            + "upstream's fields on stdout; progress goes to stderr.")
    boolean json;

    @Option(names = {"-parallelism", "--parallelism"}, paramLabel = "N",
            description = "Files downloaded at once (default: 8); in a bulk restore, databases restored at once "
                    + "(default: min(8, 2 x cores)).")
    Integer parallelismFlag;

    int parallelism;

    @Option(names = "--all", description = "Bulk restore (with -config and -o DIR): every database the configured "
            + "replicas hold, each to DIR followed by its absolute path.")
    boolean all;

    @Option(names = "--prefix", paramLabel = "P", description = "Bulk restore: the databases whose path starts "
            + "with P.")
    String prefix;

    @Option(names = "--pattern", paramLabel = "GLOB", description = "Bulk restore: the databases whose path the "
            + "glob matches (* within a directory, ** across).")
    String pattern;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Bulk restore: the state directory whose "
            + "catalog maps fleet replicas back to database paths, when it is still there (default: as replicate).")
    Path stateDir;

    @Option(names = {"-dry-run", "--dry-run"}, description = "Print the restore plan and exit without writing.")
    boolean dryRun;

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = PluginsDir.DESCRIPTION)
    Path pluginsDir;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME", description = "With -config, the database's "
            + "replica (destination) to restore from, by its name (default: the one with the newest data).")
    String replicaName;

    @Option(names = {"-no-expand-env", "--no-expand-env"}, description = "Read the configuration without "
            + "expanding $VARIABLES.")
    boolean noExpandEnv;

    @Option(names = {"-config", "--config"}, paramLabel = "FILE",
            description = "Configuration file, to restore a configured database by its path.")
    Path config;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<replica-url | db-path | dir>",
            description = "The replica (for example s3://bucket/db), or with -config a configured database path, or "
                    + "the dir: of a directory entry (every database of it, each to -o DIR plus its relative path).")
    String source;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (all || prefix != null || pattern != null) {
            return bulk();
        }
        if (source == null) {
            throw new UserException("nothing to restore: give a replica URL or a database path, or with -config and "
                    + "-o DIR one of --all, --prefix P, --pattern GLOB");
        }
        parallelism = parallelismFlag == null ? RestoreOptions.DEFAULT_PARALLELISM : parallelismFlag;
        IntegrityCheck check = check();
        Duration interval = followInterval();
        RestoreTarget target = target();
        if (config == null && !ReplicaSource.isUrl(source)) { // a database path: upstream's default config file
            config = ConfigPaths.defaultConfig(System::getenv).orElse(null);
        }
        ConfigFile file = config == null ? null : new ConfigFile(config, !noExpandEnv);
        if (DirectoryRestore.isDirectoryEntry(file, source)) { // a whole directory-mode set
            return new DirectoryRestore(file, Path.of(source), Optional.ofNullable(output), target,
                    new DirectoryRestore.Options(force, parallelism, dryRun, Optional.ofNullable(replicaName),
                            pluginsDir())).run(spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        ReplicaSource replica = source();
        if (parallelism < 1) {
            throw new UserException("invalid -parallelism '" + parallelism + "': must be at least 1");
        }
        if (output == null && !dryRun) {
            if (ReplicaSource.isUrl(source)) {
                throw new UserException("-o <path> is required when restoring from a replica URL");
            }
            output = Path.of(source); // like upstream: restore a configured database in place
        }
        PrintWriter log = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        if (ifDbNotExists && output != null && Files.exists(output)) {
            log.println("database already exists, skipping: " + output.toAbsolutePath());
            return 0;
        }
        if (dryRun && follow) {
            throw new UserException("cannot use -dry-run with -f");
        }
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        long started = System.nanoTime();
        try (PluginRegistry registry = PluginRegistry.open(pluginsDir());
                ReplicaSource.Opened opened = replica.open(registry)) {
            RestoreOptions options = output == null ? null : RestoreOptions.of(output).withOverwrite(force)
                    .withParallelism(parallelism).withCheck(check);
            if (follow) {
                OptionalLong end = new RestoreFollow(opened.target(), options, interval, log).run(restorer);
                return end.isPresent() ? done(opened, end.getAsLong(), started, check)
                        : noBackup(opened.target(), target, log);
            }
            return restoreOnce(restorer, opened, target, options, log, started);
        } finally {
            log.flush();
        }
    }

    /** {@code --all}, {@code --prefix} or {@code --pattern}: many databases into {@code -o DIR} ({@link BulkRestore}). */
    private int bulk() throws IOException, InterruptedException {
        BulkSelection selection = BulkSelection.of(all, prefix, pattern);
        if (source != null) {
            throw new UserException("a bulk restore (" + selection.describe() + ") takes no <replica-url | db-path>, "
                    + "got '" + source + "'");
        }
        if (follow || txid != null || ifDbNotExists || ifReplicaExists
                || (integrityCheck != null && check() != IntegrityCheck.FULL)) {
            throw new UserException("a bulk restore takes -timestamp, -parallelism, -dry-run, -force, -replica, "
                    + "-json and --state-dir; -f, -txid, -if-db-not-exists, -if-replica-exists and -integrity-check "
                    + "other than full restore one database");
        }
        if (config == null) {
            throw new UserException("a bulk restore (" + selection.describe() + ") needs -config FILE: the "
                    + "databases and their replicas come from it");
        }
        if (output == null) {
            throw new UserException("a bulk restore (" + selection.describe() + ") needs -o DIR: each database is "
                    + "restored to DIR followed by its absolute path");
        }
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new UserException("-o " + output + " is not a directory: a bulk restore writes a tree below it");
        }
        int n = parallelismFlag != null ? parallelismFlag
                : Math.min(8, 2 * Runtime.getRuntime().availableProcessors());
        BulkRestore.Options options = new BulkRestore.Options(output.toAbsolutePath().normalize(), target(), n,
                dryRun, force);
        ConfigFile file = new ConfigFile(config, !noExpandEnv);
        io.litefleet.core.config.LitefleetConfig loaded = file.load();
        PrintWriter log = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        long started = System.nanoTime();
        try (PluginRegistry registry = PluginRegistry.open(pluginsDir());
             io.litefleet.core.config.ReplicaClients clients = new io.litefleet.core.config.ReplicaClients(registry)) {
            FleetInventory.Found found = FleetInventory.find(loaded, registry, clients,
                    Optional.ofNullable(replicaName), Optional.ofNullable(stateDir));
            List<BulkDatabase> chosen = found.databases().stream().filter(d -> selection.matches(d.path())).toList();
            List<BulkOutcome> outcomes = unmapped(found, selection);
            if (chosen.isEmpty() && outcomes.isEmpty()) {
                throw new UserException("no database of " + config + " matches " + selection.describe() + " (its "
                        + "replicas hold " + found.databases().size() + ")");
            }
            vanished(found, selection, options.outDir());
            BulkProgress progress = BulkProgress.of(log, !json && Terminal.isTerminal(), Clock.systemUTC());
            outcomes.addAll(new BulkRestore(clients, Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT), options,
                    progress).run(chosen));
            BulkReport report = new BulkReport(options.outDir().toString(), options.targetText(), outcomes,
                    Duration.ofNanos(System.nanoTime() - started));
            report.print(log);
            if (json) {
                spec.commandLine().getOut().println(report.json());
            }
            return report.exitCode();
        } finally {
            log.flush();
        }
    }

    /** Warns of databases an earlier run into {@code dir} restored whose replica no longer lists them. */
    private void vanished(FleetInventory.Found found, BulkSelection selection, Path dir) throws IOException {
        java.util.Set<String> listed = new java.util.HashSet<>();
        found.databases().forEach(d -> listed.add(d.path().toString()));
        for (String db : new java.util.TreeSet<>(RestoreJournal.recorded(dir))) {
            if (!listed.contains(db) && selection.matches(Path.of(db))) {
                spec.commandLine().getErr().println("litefleet: warning: " + db + " was restored into " + dir
                        + " by an earlier run, but no replica lists it now; its file there is left as it was");
            }
        }
    }

    /**
     * Replica paths that map to no single database: failures under {@code --all}; with a narrower selection (they
     * have no path to match it against) warnings on stderr.
     */
    private List<BulkOutcome> unmapped(FleetInventory.Found found, BulkSelection selection) {
        List<BulkOutcome> outcomes = new java.util.ArrayList<>();
        for (String problem : found.problems()) {
            if (selection instanceof BulkSelection.All) {
                outcomes.add(new BulkOutcome(null, BulkOutcome.Status.FAILED, 0, problem));
            } else {
                spec.commandLine().getErr().println("litefleet: warning: " + problem);
            }
        }
        return outcomes;
    }

    /** Restores (or with {@code -dry-run} plans) the target once: from LTX files, else from a v0.3 generation. */
    private int restoreOnce(Restorer restorer, ReplicaSource.Opened opened, RestoreTarget target,
            RestoreOptions options, PrintWriter log, long started) throws IOException {
        if (!dryRun) {
            prepareOutput(output);
        }
        Optional<RestorePlan> ltx = plan(restorer, opened.target(), target);
        if (ltx.isEmpty()) {
            // No LTX state within the target: a Litestream v0.3 replica (generations/) restores instead.
            Optional<GenerationsRestore.Plan> v3 = GenerationsRestore.plan(opened.target(), target,
                    RetryPolicy.DEFAULT);
            if (v3.isEmpty()) {
                return noBackup(opened.target(), target, log);
            }
            restoreV3(log, opened.target(), v3.get(), options);
            return dryRun ? 0 : done(opened, 0, started, options.check());
        }
        RestorePlan plan = ltx.get();
        if (dryRun) {
            printPlan(opened.target(), plan);
            return 0;
        }
        RestoreResult r = restorer.restore(opened.target(), plan, options);
        log.printf("restored TXID %016x to %s: %d files, %d bytes in %.3fs%n", r.txid(), output.toAbsolutePath(),
                r.files(), r.bytes(), r.duration().toNanos() / 1e9);
        return done(opened, r.txid(), started, options.check());
    }

    /** No backup within the target: exit 0 under {@code -if-replica-exists}, as upstream, otherwise an error. */
    private int noBackup(ReplicaTarget replica, RestoreTarget target, PrintWriter log) {
        if (ifReplicaExists) {
            log.println("no matching backups found in " + replica.url() + describe(target));
            return 0;
        }
        throw new UserException("no matching backup files available in " + replica.url() + describe(target));
    }

    /** Exit 0, printing upstream's JSON result under {@code -json} ({@code txid} empty for a v0.3 restore). */
    private int done(ReplicaSource.Opened opened, long txid, long startedNanos, IntegrityCheck check) {
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("db_path", output.toString());
            r.put("replica", opened.target().client().type());
            r.put("txid", txid == 0 ? "" : String.format("%016x", txid));
            r.put("duration_ms", (System.nanoTime() - startedNanos) / 1_000_000);
            r.put("integrity_check", check.flagValue());
            spec.commandLine().getOut().println(GoJson.object(r));
        }
        return 0;
    }

    /**
     * Upstream's checks of the output before anything is downloaded: a directory, a non-empty file or a SQLite
     * sidecar beside it is refused without {@code -force} (which replaces them atomically at the end); an empty file
     * (a mount point's placeholder, say) is removed, as upstream removes it.
     */
    private void prepareOutput(Path out) throws IOException {
        if (Files.isDirectory(out)) {
            throw new UserException("cannot restore, output path is a directory: " + out);
        }
        if (force) {
            return;
        }
        if (Files.exists(out) && Files.size(out) > 0) {
            throw new UserException("cannot restore, output path already exists and is not empty: " + out
                    + ". Use -force to overwrite");
        }
        for (String suffix : List.of("-wal", "-shm", "-journal")) {
            Path sidecar = Path.of(out + suffix);
            if (Files.exists(sidecar)) {
                throw new UserException("cannot restore, SQLite sidecar path already exists: " + sidecar
                        + ". Use -force to overwrite");
            }
        }
        Files.deleteIfExists(out);
    }

    private IntegrityCheck check() {
        if (integrityCheck == null) {
            return IntegrityCheck.FULL; // our default: upstream's is none, which installs a damaged database
        }
        try {
            return IntegrityCheck.ofFlag(integrityCheck);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    private Duration followInterval() {
        if (followInterval == null) {
            return RestoreFollow.DEFAULT_INTERVAL;
        }
        Duration d = Settings.parseDuration(followInterval).orElseThrow(() -> new UserException(
                "invalid -follow-interval '" + followInterval + "': must be a duration such as 1s or 500ms"));
        return d.isZero() ? RestoreFollow.DEFAULT_INTERVAL : d; // upstream: <= 0 means the default
    }

    private Optional<RestorePlan> plan(Restorer restorer, ReplicaTarget replica, RestoreTarget target)
            throws IOException {
        try {
            return restorer.plan(replica, target, parallelism);
        } catch (RestoreGapException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** A Litestream v0.3 generation: printed (dry run) or restored. */
    private void restoreV3(PrintWriter out, ReplicaTarget replica, GenerationsRestore.Plan v3, RestoreOptions options)
            throws IOException {
        if (dryRun) {
            out.printf("Litestream v0.3 generation %s: snapshot %s, %d WAL segments, up to %s%n", v3.generation(),
                    v3.snapshot().key(), v3.segments().size(), v3.restoredTime());
            return;
        }
        GenerationsRestore.Restored r = GenerationsRestore.restore(replica, v3, options, Clock.systemUTC(),
                RetryPolicy.DEFAULT);
        out.printf("restored Litestream v0.3 generation %s (up to %s) to %s: %d files, %d bytes in %.3fs%n",
                v3.generation(), v3.restoredTime(), output.toAbsolutePath(), r.files(), r.bytes(),
                r.duration().toNanos() / 1e9);
    }

    private RestoreTarget target() {
        if (follow && txid != null) {
            throw new UserException("cannot use follow mode with -txid");
        }
        if (follow && timestamp != null) {
            throw new UserException("cannot use follow mode with -timestamp");
        }
        if (txid != null && timestamp != null) {
            throw new UserException("-txid and -timestamp are mutually exclusive; give one of them");
        }
        if (txid != null) {
            return new RestoreTarget.AtTxid(parseTxid(txid));
        }
        if (timestamp != null) {
            try {
                return new RestoreTarget.AtTime(OffsetDateTime.parse(timestamp).toInstant());
            } catch (DateTimeParseException e) {
                throw new UserException("invalid -timestamp '" + timestamp + "': must be an RFC 3339 time such as "
                        + "2025-01-02T03:04:05Z");
            }
        }
        return RestoreTarget.latest();
    }

    private static long parseTxid(String text) {
        long v;
        try {
            v = Long.parseUnsignedLong(text, 16);
        } catch (NumberFormatException e) {
            v = 0;
        }
        if (v < 1) {
            throw new UserException("invalid -txid '" + text + "': must be a hex transaction ID from 1 to "
                    + "7fffffffffffffff, such as 000000000000002a");
        }
        return v;
    }

    private ReplicaSource source() {
        if (ReplicaSource.isUrl(source)) {
            return ReplicaSource.url(source);
        }
        if (config == null) {
            throw new UserException("'" + source + "' is not a replica URL (such as file:///backups/db or "
                    + "s3://bucket/db); to restore a configured database by its path, add -config <file> (without "
                    + "it, $LITESTREAM_CONFIG or " + ConfigPaths.DEFAULT + " is read, and neither exists)");
        }
        return ConfigReplicaSource.find(new ConfigFile(config, !noExpandEnv), Path.of(source),
                Optional.ofNullable(replicaName));
    }

    private Optional<Path> pluginsDir() {
        return PluginsDir.resolve(pluginsDir);
    }

    private static String describe(RestoreTarget target) {
        return switch (target) {
            case RestoreTarget.Latest l -> "";
            case RestoreTarget.AtTxid t -> String.format(" at or before TXID %016x", t.txid());
            case RestoreTarget.AtTime t -> " at or before " + t.time();
        };
    }

    private void printPlan(ReplicaTarget replica, RestorePlan plan) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> files = plan.files().stream().map(f -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("level", f.level());
                m.put("name", String.format("%016x-%016x.ltx", f.minTxid(), f.maxTxid()));
                m.put("min_txid", String.format("%016x", f.minTxid()));
                m.put("max_txid", String.format("%016x", f.maxTxid()));
                m.put("size", f.size());
                m.put("timestamp", LtxListing.rfc3339(f.createdAt()));
                return m;
            }).toList();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", source);
            m.put("target_path", output == null ? "" : output.toString());
            m.put("replica", replica.client().type());
            m.put("min_txid", String.format("%016x", plan.files().get(0).minTxid()));
            m.put("max_txid", String.format("%016x", plan.txid()));
            m.put("files", files);
            out.println(GoJson.object(m));
            return;
        }
        out.println("Restore plan:");
        out.println("  source: " + replica.url());
        out.println("  output: " + (output == null ? "(none)" : output.toAbsolutePath()));
        out.printf("  txid:   %016x - %016x%n", plan.files().get(0).minTxid(), plan.txid());
        out.printf("%-5s  %-37s  %12s  %s%n", "level", "file", "size", "created");
        for (LtxFileRef f : plan.files()) {
            out.printf("%-5d  %016x-%016x.ltx  %12d  %s%n", f.level(), f.minTxid(), f.maxTxid(), f.size(),
                    f.createdAt());
        }
    }
}
