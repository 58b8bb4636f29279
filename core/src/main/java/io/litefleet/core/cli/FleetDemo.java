package io.litefleet.core.cli;

import io.litefleet.api.replica.ReplicaUrl;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.YamlLoader;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.fleet.FleetStatus;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.restore.ReplicaSource;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.state.Catalog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The embedded default in fleet mode: a sample fleet in the design's layout, a few tenants written at a time while
 * the hot set moves, then a restore of one written tenant compared with its source.
 */
final class FleetDemo {
    private FleetDemo() {
    }

    static int run(Path home, int seconds, PrintWriter out) throws Exception {
        Path data = home.resolve("data");
        Path replica = home.resolve("replica");
        List<Path> dbs = generate(data, out);
        String yaml = """
                state-dir: %s
                multi-db:
                  enabled: true
                  patterns:
                    - "%s/*/databases/*/branches/*/tenants/*.db"
                  max-hot-databases: 8
                  scan-interval: 10s
                  hot-idle-timeout: 4s
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    sync-interval: 1s
                """.formatted(home.resolve("state"), data, replica);
        Path file = Files.writeString(home.resolve("litefleet.yml"), yaml);
        out.printf("config %s (max-hot-databases 8, hot-idle-timeout 4s), replica %s%n", file, replica);
        LitefleetConfig config = LitefleetConfig.parse(file, YamlLoader.withProcessEnvironment().parse(
                file.toString(), yaml));
        Random rnd = new Random(7);
        List<Path> written = new ArrayList<>();
        try (PluginRegistry registry = PluginRegistry.open(PluginsDir.resolve(null));
             ReplicaClients clients = new ReplicaClients(registry);
             Catalog catalog = Catalog.open(home.resolve("state"))) {
            FleetManager fleet = FleetRunner.start(config.fleet().orElseThrow(), config.compaction(), registry,
                    clients, catalog, Clock.systemUTC());
            try {
                await(fleet, s -> s.scans() > 0 && s.backlog() == 0 && s.transients() >= dbs.size(), 120);
                out.printf("initial capture done: %s%n", brief(fleet.status()));
                long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                int second = 0;
                while (System.nanoTime() < end) {
                    // Three tenants a second, drawn from a window that moves through the fleet.
                    int base = (second / 3 * 7) % dbs.size();
                    for (int i = 0; i < 3; i++) {
                        Path db = dbs.get((base + rnd.nextInt(12)) % dbs.size());
                        write(db, second);
                        written.add(db);
                    }
                    Thread.sleep(1000); // pacing the demo's writers, not synchronisation
                    second++;
                    out.printf("  t=%2ds %s%n", second, brief(fleet.status()));
                    out.flush();
                }
                await(fleet, s -> s.backlog() == 0, 30);
            } finally {
                fleet.close();
            }
            out.printf("stopped: %s%n", brief(fleet.status()));
            Path check = written.get(written.size() - 1);
            Path rel = data.relativize(check);
            String tenant = rel.getFileName().toString().replaceFirst("\\.db$", "");
            String url = ReplicaUrl.escape("file://" + replica.resolve(rel.getName(0) + "/" + rel.getName(2) + "/"
                    + rel.getName(4) + "/" + tenant));
            Path restored = home.resolve("restored.db");
            Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
            try (ReplicaSource.Opened opened = ReplicaSource.url(url).open(registry)) {
                RestoreResult r = restorer.restore(opened.target(), restorer.plan(opened.target(),
                        RestoreTarget.latest(), 4).orElseThrow(), RestoreOptions.of(restored).withOverwrite(true));
                String want = rows(check);
                String got = rows(restored);
                out.printf("restored %s (TXID %d) from %s%n  source:   %s%n  restored: %s  -> %s%n", check,
                        r.txid(), url, want, got, want.equals(got) ? "IDENTICAL" : "DIFFERENT");
                if (!want.equals(got)) {
                    return 1;
                }
            }
        }
        out.printf("%nSee every database and its tier: litefleet databases --state-dir %s%n",
                home.resolve("state"));
        out.printf("Run the fleet yourself:          litefleet replicate -config %s%n", file);
        out.flush();
        return 0;
    }

    private static List<Path> generate(Path data, PrintWriter out) throws Exception {
        List<Path> dbs = new ArrayList<>();
        for (String p : List.of("acme", "globex")) {
            for (String d : List.of("crm", "billing")) {
                for (String b : List.of("main", "dev")) {
                    Path dir = Files.createDirectories(data.resolve(p + "/databases/" + d + "/branches/" + b
                            + "/tenants"));
                    for (int t = 0; t < 10; t++) {
                        Path db = dir.resolve("tenant" + t + ".db");
                        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                             Statement st = c.createStatement()) {
                            st.execute("PRAGMA journal_mode=WAL");
                            st.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, at INTEGER, body TEXT)");
                            st.execute("INSERT INTO notes(at, body) VALUES (0, 'hello from " + p + "/" + d + "/" + b
                                    + "/tenant" + t + "')");
                        }
                        dbs.add(db);
                    }
                }
            }
        }
        out.printf("sample fleet: %d databases under %s/<project>/databases/<db>/branches/<branch>/tenants/%n",
                dbs.size(), data);
        return dbs;
    }

    private static void write(Path db, int second) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=2000");
            st.execute("INSERT INTO notes(at, body) VALUES (" + second + ", hex(randomblob(200)))");
        }
    }

    private static String rows(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), max(at), sum(length(body)) FROM notes")) {
            rs.next();
            return "rows=" + rs.getLong(1) + " max(at)=" + rs.getLong(2) + " bytes=" + rs.getLong(3);
        }
    }

    private static String brief(FleetStatus s) {
        return String.format("known=%d hot=%d cold=%d promotions=%d demotions=%d evictions=%d transient-passes=%d",
                s.known(), s.hot(), s.cold(), s.promotions(), s.demotions(), s.evictions(), s.transients());
    }

    private static void await(FleetManager fleet, java.util.function.Predicate<FleetStatus> p, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!p.test(fleet.status()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }
}
