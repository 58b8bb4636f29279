package io.litefleet.core.cli;

import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.control.Json;
import io.litefleet.core.state.Catalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code litefleet status}: each configured database's replication status, as upstream's command shows it (status,
 * local TXID, WAL size), read from the config, the files and the state directory's catalog: no daemon and no
 * storage request needed. Our "local TXID" is the TXID the replica holds as last recorded (we keep no local LTX
 * files), and a {@code replicas} column says where it goes.
 */
@Command(name = "status", description = {"Display the replication status of the configured databases.",
    "  litefleet status [-config PATH] [-no-expand-env] [-json] [DB_PATH]"})
final class StatusCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ConfigOption configOption = new ConfigOption();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default: the config's).")
    Path stateDir;

    @Option(names = {"-json", "--json"}, description = "Output raw JSON instead of human-readable text.")
    boolean json;

    @Parameters(arity = "0..1", paramLabel = "DB_PATH", description = "Only this database.")
    Path only;

    @Override
    public Integer call() throws IOException {
        LitefleetConfig c = configOption.orDefault().load();
        Path state = StateDirs.resolve(stateDir, c.fleet().flatMap(FleetConfig::stateDir).or(c::stateDir));
        Path filter = only == null ? null : only.toAbsolutePath().normalize();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Catalog catalog = Files.isRegularFile(state.resolve(Catalog.FILE_NAME)) ? Catalog.open(state) : null) {
            for (DbConfig db : c.dbs()) {
                if (filter == null || filter.equals(db.path())) {
                    rows.add(row(db, catalog));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.writeIndented(rows));
        } else {
            out.printf("%-40s  %-16s  %-16s  %-10s  %s%n", "database", "status", "local txid", "wal size",
                    "replicas");
            for (Map<String, Object> r : rows) {
                out.printf("%-40s  %-16s  %-16s  %-10s  %s%n", r.get("database"), r.get("status"),
                        r.get("local_txid"), r.get("wal_size"), String.join(", ", (List<String>) r.get("replicas")));
            }
        }
        out.flush();
        return 0;
    }

    private static Map<String, Object> row(DbConfig db, Catalog catalog) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("database", db.path().toString());
        String status;
        String txid = "-";
        String wal = "-";
        if (!Files.exists(db.path())) {
            status = "no database";
        } else {
            Path walFile = Path.of(db.path() + "-wal");
            try {
                wal = humanBytes(Files.exists(walFile) ? Files.size(walFile) : 0);
                Optional<Long> t = catalog == null ? Optional.empty()
                        : catalog.get(db.path().toString()).map(p -> p.txid()).filter(v -> v > 0);
                status = t.isPresent() ? "ok" : "not initialized";
                txid = t.map(v -> String.format("%016x", v)).orElse("-");
            } catch (IOException e) {
                status = "error";
            }
        }
        r.put("status", status);
        r.put("local_txid", txid);
        r.put("wal_size", wal);
        r.put("replicas", db.replicas().stream().map(rc -> rc.url().map(Object::toString).orElse(rc.type()))
                .toList());
        return r;
    }

    /** Bytes as go-humanize's {@code Bytes} writes them (SI units): {@code 0 B}, {@code 4.1 kB}, {@code 12 MB}. */
    static String humanBytes(long n) {
        if (n < 10) {
            return n + " B";
        }
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
        int e = (int) Math.floor(Math.log(n) / Math.log(1000));
        double v = Math.floor(n / Math.pow(1000, e) * 10 + 0.5) / 10;
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[e]);
    }
}
