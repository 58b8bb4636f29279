package io.litefleet.core.cli;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.config.DirectoryConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code litefleet restore -config FILE [-o OUTDIR] <dir>}: restores every database of a directory-mode entry
 * ({@code dir:} equal to {@code <dir>}) that its replica holds, each to {@code OUTDIR} plus its path relative to the
 * directory (in place under {@code <dir>} without {@code -o}). The databases are found by listing the entry's
 * replica: each path below it holding LTX files whose name the entry's pattern (and recursion) admits. Several
 * entries on the same directory are restored together. Stateless between runs.
 *
 * @param config      the configuration file
 * @param dir         the directory as given on the command line
 * @param output      where the set goes; empty for in place
 * @param target      latest or a time ({@code -txid} names one database's history, so it is refused)
 * @param options     overwrite, parallelism, dry run, destination name
 */
record DirectoryRestore(ConfigFile config, Path dir, Optional<Path> output, RestoreTarget target, Options options) {
    /** A key of the file layout: group 1 is the replica path. */
    static final Pattern LTX_DIRS = Pattern.compile("(.+)/ltx/[0-9]+/[0-9a-f]{16}-[0-9a-f]{16}\\.ltx");
    /** A key of the hex-level layout (S3 and the like): group 1 is the replica path. */
    static final Pattern HEX_DIRS = Pattern.compile("(.+)/[0-9a-f]{4}/[0-9a-f]{16}-[0-9a-f]{16}\\.ltx");

    /**
     * The restore flags that apply to a whole set.
     *
     * @param force       replace existing databases
     * @param parallelism downloads at once, per database
     * @param dryRun      list what would be restored, write nothing
     * @param replicaName the destination to restore from; empty for each entry's first replica
     * @param pluginsDir  where plugins are, if not the default
     */
    record Options(boolean force, int parallelism, boolean dryRun, Optional<String> replicaName,
                   Optional<Path> pluginsDir) {
    }

    /** Whether {@code source} names the {@code dir:} of a directory-mode entry of {@code config}. */
    static boolean isDirectoryEntry(ConfigFile config, String source) {
        if (config == null) {
            return false;
        }
        Path wanted = Path.of(source).toAbsolutePath().normalize();
        return entries(config.load(), wanted).findAny().isPresent();
    }

    private static java.util.stream.Stream<DirectoryConfig> entries(LitefleetConfig c, Path dir) {
        return c.fleet().stream().flatMap(f -> f.directories().stream()).filter(d -> d.dir().equals(dir));
    }

    /** Restores the set; 0 when every database restored, 1 when one or more failed (each said on {@code err}). */
    int run(PrintWriter out, PrintWriter err) throws IOException {
        if (target instanceof RestoreTarget.AtTxid) {
            throw new UserException("-txid names a position in one database's history; a directory (" + dir
                    + ") holds several databases: use -timestamp to restore them all as of one time");
        }
        Path wanted = dir.toAbsolutePath().normalize();
        List<DirectoryConfig> entries = entries(config.load(), wanted).toList();
        Path into = output.map(o -> o.toAbsolutePath().normalize()).orElse(wanted);
        int restored = 0;
        int failed = 0;
        try (PluginRegistry registry = PluginRegistry.open(options.pluginsDir());
             ReplicaClients clients = new ReplicaClients(registry);
             Discovery names = registry.discovery("glob", config.toString()).create(Settings.of(config.toString(),
                     Map.of("patterns", entries.stream().map(DirectoryConfig::glob).toList())))) {
            Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
            for (DirectoryConfig entry : entries) {
                ReplicaConfig base = chosen(entry);
                ReplicaTarget root = clients.resolve(base);
                List<String> found = databases(root, entry, names);
                if (found.isEmpty()) {
                    err.println("litefleet: no database of " + entry.describe() + " in " + root.url());
                    failed++;
                    continue;
                }
                out.println("restoring " + found.size() + " databases of " + entry.describe() + " from "
                        + root.url() + " into " + into);
                for (String rel : found) {
                    try {
                        restoreOne(restorer, clients, entry, base, rel, into.resolve(rel), out);
                        restored++;
                    } catch (IOException | RuntimeException e) {
                        err.println("litefleet: " + rel + ": not restored: " + e.getMessage());
                        failed++;
                    }
                }
            }
        }
        out.println((options.dryRun() ? "would restore " : "restored ") + restored + " databases"
                + (failed > 0 ? ", " + failed + " failed" : ""));
        out.flush();
        err.flush();
        return failed > 0 ? 1 : 0;
    }

    private ReplicaConfig chosen(DirectoryConfig entry) {
        if (options.replicaName().isEmpty()) {
            return entry.replicas().get(0);
        }
        String name = options.replicaName().get();
        return entry.replicas().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() ->
                new UserException(config + ": " + entry.describe() + " has no replica named '" + name
                        + "' (its replicas: " + entry.replicas().stream().map(ReplicaConfig::name)
                        .collect(Collectors.joining(", ")) + ")"));
    }

    /**
     * The relative paths of the entry's databases in the replica under {@code root}, sorted: each path with LTX files
     * below it (in the backend's layout) whose database path the entry's pattern and recursion admit.
     */
    static List<String> databases(ReplicaTarget root, DirectoryConfig entry, Discovery names) throws IOException {
        String prefix = root.path().isEmpty() ? "" : root.path() + "/";
        Pattern shape = root.layout() == ReplicaLayout.HEX_LEVEL_DIRS ? HEX_DIRS : LTX_DIRS;
        TreeSet<String> found = new TreeSet<>();
        for (ObjectInfo o : root.client().list(prefix)) {
            if (!o.key().startsWith(prefix)) {
                continue;
            }
            Matcher m = shape.matcher(o.key().substring(prefix.length()));
            if (m.matches() && !found.contains(m.group(1)) && plainRelative(m.group(1))) {
                DiscoveredDatabase db = names.match(entry.dir().resolve(m.group(1)));
                if (db != null && db.pattern().equals(entry.glob())) {
                    found.add(m.group(1));
                }
            }
        }
        return new ArrayList<>(found);
    }

    /** A relative path of named segments only: restored below the output directory, never beside it. */
    private static boolean plainRelative(String rel) {
        for (String segment : rel.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private void restoreOne(Restorer restorer, ReplicaClients clients, DirectoryConfig entry, ReplicaConfig base,
                            String rel, Path to, PrintWriter out) throws IOException {
        ReplicaTarget t = clients.resolve(entry.replicasFor(entry.dir().resolve(rel)).stream()
                .filter(r -> r.name().equals(base.name())).findFirst().orElseThrow());
        Optional<RestorePlan> plan = restorer.plan(t, target, options.parallelism());
        if (plan.isEmpty()) {
            throw new ConfigException("no matching backup files available in " + t.url());
        }
        if (options.dryRun()) {
            out.printf("would restore %s (TXID %016x, %d files) to %s%n", t.url(), plan.get().txid(),
                    plan.get().files().size(), to);
            return;
        }
        Files.createDirectories(to.getParent());
        RestoreResult r = restorer.restore(t, plan.get(), RestoreOptions.of(to).withOverwrite(options.force())
                .withParallelism(options.parallelism()));
        out.printf("restored TXID %016x to %s: %d files, %d bytes%n", r.txid(), to, r.files(), r.bytes());
    }
}
