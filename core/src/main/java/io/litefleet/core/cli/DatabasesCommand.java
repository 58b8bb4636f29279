package io.litefleet.core.cli;

import io.litefleet.api.replica.ReplicaUrl;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet databases}: upstream's listing of the configured databases ({@code path} and {@code replica} type,
 * or {@code -json}), where fleet mode adds the databases its catalog knows; with {@code --catalog} (or any of
 * {@code --state}, {@code --prefix}, {@code --state-dir}) what the state directory knows: tier, TXID, last sync and
 * replica URL per database, without touching storage.
 */
@Command(name = "databases", description = {"List the configured databases (upstream's path/replica table), or with "
        + "--catalog what the state catalog knows (no storage requests)."})
final class DatabasesCommand implements Callable<Integer> {
    private static final Set<String> TIERS = Set.of("hot", "cold", "deleted", "excluded");

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOption configOption = new ConfigOption();

    @Option(names = "--catalog", description = "List what the state catalog knows: tier, TXID, last sync, replica.")
    boolean catalog;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (implies --catalog).")
    Path stateDir;

    @Option(names = "--state", paramLabel = "TIER", description = "Only this tier: hot, cold, deleted, excluded "
            + "(implies --catalog).")
    String tier;

    @Option(names = "--prefix", paramLabel = "PATH", description = "Only databases whose path starts with this "
            + "(implies --catalog).")
    String prefix;

    @Option(names = {"-json", "--json"}, description = "JSON: an array of {path, replica} as upstream prints; with "
            + "--catalog one object per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
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

    private int listCatalog() throws Exception {
        if (tier != null && !TIERS.contains(tier.toLowerCase(Locale.ROOT))) {
            throw new UserException("--state must be one of hot, cold, deleted, excluded; got '" + tier + "'");
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
        try (Catalog catalog = Catalog.open(state)) {
            rows = catalog.databases(tier == null ? null : tier.toLowerCase(Locale.ROOT), prefix);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            for (DatabaseRow r : rows) {
                out.println("{\"path\":" + quote(r.path()) + ",\"tier\":" + quote(r.tier()) + ",\"replica\":"
                        + quote(url(r)) + ",\"txid\":\"" + String.format("%016x", r.txid())
                        + "\",\"lastSync\":" + quote(r.lastSync().toString()) + ",\"promotions\":" + r.promotions()
                        + ",\"demotions\":" + r.demotions() + ",\"size\":" + r.size() + "}");
            }
        } else {
            out.printf("%-8s %-16s %-24s %10s %s%n", "TIER", "TXID", "LAST SYNC", "SIZE", "PATH -> REPLICA");
            for (DatabaseRow r : rows) {
                out.printf("%-8s %016x %-24s %10d %s -> %s%n", r.tier(), r.txid(), r.lastSync(), r.size(), r.path(),
                        url(r));
            }
            out.printf("%d database(s)%n", rows.size());
        }
        out.flush();
        return 0;
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
