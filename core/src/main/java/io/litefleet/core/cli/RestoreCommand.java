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
 * <replica-url>}: rebuilds a database from a replica, with upstream's flag spellings (each also with {@code --}).
 * Upstream's {@code -f} means follow mode, which is not supported; it is refused rather than read as force.
 */
@Command(name = "restore", description = "Rebuild a database from a replica (latest, at a TXID or at a time).")
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

    @Option(names = "-f", hidden = true, description = "Upstream's follow mode; refused.")
    boolean follow;

    @Option(names = {"-parallelism", "--parallelism"}, paramLabel = "N", defaultValue = "8",
            description = "Files downloaded at once (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = {"-dry-run", "--dry-run"}, description = "Print the restore plan and exit without writing.")
    boolean dryRun;

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = PluginsDir.DESCRIPTION)
    Path pluginsDir;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME", description = "With -config, the database's "
            + "replica (destination) to restore from, by its name (default: the one with the newest data).")
    String replicaName;

    @Option(names = {"-config", "--config"}, paramLabel = "FILE",
            description = "Configuration file, to restore a configured database by its path.")
    Path config;

    @Parameters(index = "0", paramLabel = "<replica-url | db-path | dir>",
            description = "The replica (for example s3://bucket/db), or with -config a configured database path, or "
                    + "the dir: of a directory entry (every database of it, each to -o DIR plus its relative path).")
    String source;

    @Override
    public Integer call() throws IOException {
        RestoreTarget target = target();
        if (DirectoryRestore.isDirectoryEntry(config, source)) { // a whole directory-mode set
            return new DirectoryRestore(config, Path.of(source), Optional.ofNullable(output), target,
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
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        try (PluginRegistry registry = PluginRegistry.open(pluginsDir());
                ReplicaSource.Opened opened = replica.open(registry)) {
            PrintWriter out = spec.commandLine().getOut();
            Optional<RestorePlan> ltx = plan(restorer, opened.target(), target);
            if (ltx.isEmpty()) {
                // No LTX state within the target: a Litestream v0.3 replica (generations/) restores instead.
                GenerationsRestore.Plan v3 = GenerationsRestore.plan(opened.target(), target, RetryPolicy.DEFAULT)
                        .orElseThrow(() -> new UserException("no matching backup files available in "
                                + opened.target().url() + describe(target)));
                restoreV3(out, opened.target(), v3);
                out.flush();
                return 0;
            }
            RestorePlan plan = ltx.get();
            if (dryRun) {
                printPlan(out, opened.target(), plan);
            } else {
                RestoreOptions options = RestoreOptions.of(output).withOverwrite(force).withParallelism(parallelism);
                RestoreResult r = restorer.restore(opened.target(), plan, options);
                out.printf("restored TXID %016x to %s: %d files, %d bytes in %.3fs%n", r.txid(),
                        output.toAbsolutePath(), r.files(), r.bytes(), r.duration().toNanos() / 1e9);
            }
            out.flush();
        }
        return 0;
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
    private void restoreV3(PrintWriter out, ReplicaTarget replica, GenerationsRestore.Plan v3) throws IOException {
        if (dryRun) {
            out.printf("Litestream v0.3 generation %s: snapshot %s, %d WAL segments, up to %s%n", v3.generation(),
                    v3.snapshot().key(), v3.segments().size(), v3.restoredTime());
            return;
        }
        GenerationsRestore.Restored r = GenerationsRestore.restore(replica, v3,
                RestoreOptions.of(output).withOverwrite(force).withParallelism(parallelism), Clock.systemUTC(),
                RetryPolicy.DEFAULT);
        out.printf("restored Litestream v0.3 generation %s (up to %s) to %s: %d files, %d bytes in %.3fs%n",
                v3.generation(), v3.restoredTime(), output.toAbsolutePath(), r.files(), r.bytes(),
                r.duration().toNanos() / 1e9);
    }

    private RestoreTarget target() {
        if (follow) {
            throw new UserException("-f is upstream's follow mode, which litefleet restore does not support; "
                    + "to replace an existing output use -force");
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
                    + "s3://bucket/db); to restore a configured database by its path, add -config <file>");
        }
        return ConfigReplicaSource.find(config, Path.of(source), Optional.ofNullable(replicaName));
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

    private void printPlan(PrintWriter out, ReplicaTarget replica, RestorePlan plan) {
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
