package io.litefleet.core.cli;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.engine.FileStats;
import io.litefleet.core.state.ReplicaPosition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.Catalog.DatabaseRow;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.core.config.ClusterConfig;
import io.litefleet.core.plugin.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet databases}: upstream's listing of the configured databases ({@code path} and {@code replica} type,
 * or {@code -json}), where fleet mode adds the databases its catalog knows; with {@code --catalog} (or any of
 * {@code --state}, {@code --prefix}, {@code --state-dir}) what the state directory knows: tier, TXID, last sync and
 * replica URL per database, and its lag (see {@link #lag}), without touching storage.
 */
@Command(name = "databases", description = {"List the configured databases (upstream's path/replica table), or with "
        + "--catalog what the state catalog knows (no storage requests)."})
final class DatabasesCommand implements Callable<Integer> {
    private static final Set<String> TIERS = Set.of("hot", "cold", "deleted", "excluded", "foreign");

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOption configOption = new ConfigOption();

    @Option(names = "--catalog", description = "List what the state catalog knows: tier, TXID, last sync, lag, "
            + "replica.")
    boolean catalog;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (implies --catalog).")
    Path stateDir;

    @Option(names = "--state", paramLabel = "TIER", description = "Only this tier: hot, cold, deleted, excluded, "
            + "foreign (cluster mode: replicated by another instance) (implies --catalog).")
    String tier;

    @Option(names = "--prefix", paramLabel = "PATH", description = "Only databases whose path starts with this "
            + "(implies --catalog).")
    String prefix;

    @Option(names = "--cluster", description = "Cluster mode: list every database the cluster's coordinator (etcd) "
            + "records an owner for, with the owner's instance id and fencing token, read 1,000 at a time. Needs a "
            + "config with a cluster: section.")
    boolean cluster;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "With --cluster: " + PluginsDir.DESCRIPTION)
    Path pluginsDir;

    @Option(names = {"-json", "--json"}, description = "JSON: an array of {path, replica} as upstream prints; with "
            + "--catalog one object per line.")
    boolean json;

    /** The time lags are measured against (tests replace it). */
    Clock clock = Clock.systemUTC();

    /** Opens the coordinator of a {@code cluster:} section (tests replace it). */
    ClusterOpener opener = (c, plugins) -> {
        PluginRegistry registry = PluginRegistry.open(plugins);
        try {
            return new OpenCoordinator(c.open(registry), registry);
        } catch (Exception | Error e) {
            registry.close();
            throw e;
        }
    };

    /** How {@code --cluster} gets its coordinator. */
    interface ClusterOpener {
        OpenCoordinator open(ClusterConfig cluster, Optional<Path> pluginsDir) throws Exception;
    }

    /** A coordinator and what it was loaded from, closed together (the coordinator first). */
    record OpenCoordinator(Coordinator coordinator, AutoCloseable registry) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try (AutoCloseable r = registry) {
                coordinator.close();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (cluster) {
            return listCluster();
        }
        if (!catalog && stateDir == null && tier == null && prefix == null) {
            return configured();
        }
        return listCatalog();
    }

    /** Upstream's listing: every dbs: entry's path and first replica's type; fleet databases from the catalog. */
    private int configured() throws java.io.IOException {
        LitefleetConfig c = configOption.orDefault().load();
        List<String[]> rows = new java.util.ArrayList<>();
        c.dbs().forEach(db -> rows.add(new String[] {db.path().toString(), db.replica().type()}));
        if (c.fleet().isPresent()) {
            Path state = StateDirs.resolve(stateDir, c.fleet().flatMap(FleetConfig::stateDir).or(c::stateDir));
            FleetConfig fleet = c.fleet().get();
            if (Files.isRegularFile(state.resolve(Catalog.FILE_NAME))) {
                try (Catalog cat = Catalog.open(state)) {
                    Set<String> listed = new java.util.HashSet<>();
                    rows.forEach(r -> listed.add(r[0]));
                    cat.databases(null, null).stream().filter(r -> r.tier().equals("hot") || r.tier().equals("cold"))
                            .filter(r -> listed.add(r.path()))
                            .forEach(r -> rows.add(new String[] {r.path(), fleet.replicaType(Path.of(r.path()))}));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(rows.isEmpty() ? "[]" : rows.stream().map(r -> "  {\n    \"path\": " + quote(r[0])
                    + ",\n    \"replica\": " + quote(r[1]) + "\n  }").collect(java.util.stream.Collectors.joining(
                    ",\n", "[\n", "\n]")));
        } else {
            int width = Math.max("path".length(), rows.stream().mapToInt(r -> r[0].length()).max().orElse(0)) + 2;
            out.printf("%-" + width + "s%s%n", "path", "replica");
            rows.forEach(r -> out.printf("%-" + width + "s%s%n", r[0], r[1]));
        }
        out.flush();
        return 0;
    }

    /** {@code --cluster}: who owns what, from the coordinator of the config's {@code cluster:} section. */
    private int listCluster() throws Exception {
        ConfigFile file = configOption.orDefault();
        ClusterConfig c = file.load().cluster();
        if (!c.clustered()) {
            throw new UserException(file + ": no cluster is configured (no cluster: section, or type: none): this "
                    + "instance replicates every database it finds by itself; without --cluster, databases lists "
                    + "them");
        }
        try (OpenCoordinator open = opener.open(c, PluginsDir.resolve(pluginsDir))) {
            ClusterOwners.print(open.coordinator(), spec.commandLine().getOut(), json);
        } catch (CoordinationException e) {
            throw new UserException(file + ": cannot list the cluster's owners: " + e.getMessage());
        }
        return 0;
    }

    private int listCatalog() throws Exception {
        if (tier != null && !TIERS.contains(tier.toLowerCase(Locale.ROOT))) {
            throw new UserException("--state must be one of hot, cold, deleted, excluded, foreign; got '" + tier
                    + "'");
        }
        Optional<Path> fromConfig = Optional.empty();
        Optional<ConfigFile> given = configOption.given();
        if (given.isPresent()) {
            LitefleetConfig c = given.get().load();
            fromConfig = c.fleet().flatMap(FleetConfig::stateDir).or(c::stateDir);
        }
        Path state = StateDirs.resolve(stateDir, fromConfig);
        if (!Files.isRegularFile(state.resolve(Catalog.FILE_NAME))) {
            throw new UserException(state + ": no catalog here (nothing replicated with this state directory yet)");
        }
        List<DatabaseRow> rows;
        Map<String, FileFingerprint> recorded = new HashMap<>();
        try (Catalog catalog = Catalog.open(state)) {
            rows = catalog.databases(tier == null ? null : tier.toLowerCase(Locale.ROOT), prefix);
            for (ReplicaPosition p : catalog.all()) {
                recorded.put(p.dbPath() + "\n" + p.replica(), p.fingerprint());
            }
        }
        Instant now = clock.instant();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            for (DatabaseRow r : rows) {
                Optional<Duration> lag = lag(r, recorded.get(r.path() + "\n" + r.replica()), now);
                out.println("{\"path\":" + quote(r.path()) + ",\"tier\":" + quote(r.tier()) + ",\"replica\":"
                        + quote(url(r)) + ",\"txid\":\"" + String.format("%016x", r.txid())
                        + "\",\"lastSync\":" + quote(r.lastSync().toString()) + ",\"lagSeconds\":"
                        + lag.map(d -> String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0)).orElse("null")
                        + ",\"promotions\":" + r.promotions()
                        + ",\"demotions\":" + r.demotions() + ",\"size\":" + r.size() + "}");
            }
        } else {
            out.printf("%-8s %-16s %-24s %8s %10s %s%n", "TIER", "TXID", "LAST SYNC", "LAG", "SIZE",
                    "PATH -> REPLICA");
            for (DatabaseRow r : rows) {
                Optional<Duration> lag = lag(r, recorded.get(r.path() + "\n" + r.replica()), now);
                out.printf("%-8s %016x %-24s %8s %10d %s -> %s%n", r.tier(), r.txid(), r.lastSync(),
                        lag.map(DatabasesCommand::shortDuration).orElse("-"), r.size(), r.path(), url(r));
            }
            out.printf("%d database(s)%n", rows.size());
        }
        out.flush();
        return 0;
    }

    /**
     * How far the replica is behind the file, from two stats and the catalog (no storage request): zero when the
     * database and its {@code -wal} have the size and mtime the last sync recorded, else the time since that sync
     * (the oldest unshipped change is at most that old). Empty when the file is gone, or excluded from replication.
     */
    static Optional<Duration> lag(DatabaseRow r, FileFingerprint recorded, Instant now) {
        if (r.tier().equals("deleted") || r.tier().equals("excluded")) {
            return Optional.empty();
        }
        FileFingerprint current = FileStats.of(Path.of(r.path()));
        if (current.dbSize() == 0 && current.dbMtimeNanos() == 0) {
            return Optional.empty(); // gone since
        }
        if (FileStats.sameState(current, recorded)) {
            return Optional.of(Duration.ZERO);
        }
        Duration since = Duration.between(r.lastSync(), now);
        return Optional.of(since.isNegative() ? Duration.ZERO : since);
    }

    /** {@code 0s}, {@code 42s}, {@code 3m07s}, {@code 5h02m}, {@code 3d04h}. */
    static String shortDuration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    /**
     * The row's replica as a URL that {@code litefleet restore} reads back as this replica: the catalog keeps the
     * destination with a plain path, which may hold {@code #}, {@code %}, {@code ?}, spaces or non-ASCII.
     */
    private static String url(DatabaseRow r) {
        return ReplicaUrl.escape(r.replica());
    }

    /** A JSON string literal (RFC 8259 escaping). */
    static String quote(String s) {
        return io.litefleet.core.control.Json.write(s);
    }
}
