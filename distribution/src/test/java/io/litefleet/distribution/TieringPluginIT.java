package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example tiering policy plugin as an operator installs it: the image's
 * {@code examples/plugins/tiering-allowlist/} copied into a plugins directory beside the image's own plugins
 * ({@code $LITEFLEET_PLUGINS_DIR}), selected by {@code tiering-policy: {type: allowlist}}, and seen deciding in the
 * catalog ({@code litefleet databases --catalog --json}): with a 2 s {@code hot-idle-timeout}, the databases the
 * default policy decides for are promoted at their change and demoted once idle, while the allow-listed ones stay
 * hot for three times that. Every database is then restored (ours and stock) and compared with its source.
 */
class TieringPluginIT {
    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final Pattern ROW = Pattern.compile("\\{\"path\":\"([^\"]*)\",\"tier\":\"(\\w+)\".*"
            + "\"txid\":\"([0-9a-f]+)\".*\"demotions\":(\\d+),");

    @TempDir
    Path dir;

    /** One catalog row, as {@code databases --catalog --json} prints it. */
    record Row(String tier, long txid, long demotions) {
    }

    @Test
    void allowListedDatabases_stayHotPastTheIdleTimeout_othersGetTheDefaultPolicysDecision() throws Exception {
        Map<String, String> env = Map.of("LITEFLEET_PLUGINS_DIR", installPlugin().toString());
        Image.Result plugins = Image.litefleet(dir, env, "plugins");
        assertTrue(plugins.output().matches("(?s).*tiering policy\\s+allowlist\\s+io\\.litefleet\\.tiering\\.allowlist"
                + "\\.AllowlistTieringPolicyProvider.*"), plugins.output());

        Random rnd = new Random(Long.getLong("litefleet.seed", 12));
        List<Path> vip = List.of(database("acme", "vip-1"), database("globex", "vip-2"));
        List<Path> others = List.of(database("acme", "t1"), database("acme", "t2"), database("globex", "t3"));
        Path config = config("""
                    type: allowlist
                    allow: ["%s/*/tenants/vip-*.db"]
                """.formatted(dir.resolve("data")));
        Path log = dir.resolve("litefleet.log");
        LogTail status = new LogTail(log);
        Process daemon = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config", config.toString(),
                "--status-interval", "1s"), env, log).start();
        try {
            // The first scan captures what it finds without asking the policy: the writes below are the changes.
            Await.until(Duration.ofSeconds(60), () -> "first capture of the 5 databases: " + status.status(),
                    () -> "5".equals(status.status().get("known")) && "0".equals(status.status().get("backlog"))
                            && "0".equals(status.status().get("running")));
            for (Path db : Stream.concat(vip.stream(), others.stream()).toList()) {
                FleetWorkload.write(db, rnd);
            }
            Await.until(Duration.ofSeconds(60), () -> "allow-listed hot, the others demoted once idle: "
                    + catalog(config, env), () -> {
                        Map<Path, Row> rows = catalog(config, env);
                        return vip.stream().allMatch(db -> is(rows, db, "hot", 0))
                                && others.stream().allMatch(db -> rows.containsKey(db) && rows.get(db).tier()
                                .equals("cold") && rows.get(db).demotions() >= 1 && rows.get(db).txid() > 0);
                    });
            assertFalse(Await.holds(IDLE.multipliedBy(3), () -> !vip.stream().allMatch(db -> is(catalog(config, env),
                    db, "hot", 0))), "an allow-listed database left the hot tier: " + catalog(config, env));
            assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), "SIGTERM exits 0: " + Files.readString(log));
        } finally {
            Image.stop(daemon, Duration.ZERO);
        }
        Map<Path, String> replicas = new LinkedHashMap<>();
        Stream.concat(vip.stream(), others.stream()).forEach(db -> replicas.put(db, "file://" + dir.resolve(
                "replica/" + db.getParent().getParent().getFileName() + "/" + db.getFileName()
                .toString().replace(".db", ""))));
        RestoreCheck.assertRestoresEqual(dir, Map.of(), replicas);
    }

    @Test
    void badSettings_orThePluginMissing_stopTheStartNamingTheKeyOrType() throws Exception {
        Map<String, String> env = Map.of("LITEFLEET_PLUGINS_DIR", installPlugin().toString());
        database("acme", "t1");
        Image.Result relative = Image.litefleet(dir, env, "replicate", "-config", config("""
                    type: allowlist
                    allow: ["tenants/*.db"]
                """).toString());
        assertNotEquals(0, relative.exitCode(), relative.output());
        assertTrue(relative.output().contains("tiering-policy: key 'allow' (line 9) must hold absolute globs, got "
                + "'tenants/*.db'"), relative.output());
        Image.Result fallback = Image.litefleet(dir, env, "replicate", "-config", config("""
                    type: allowlist
                    allow: /x/*.db
                    fallback: lru
                """).toString());
        assertNotEquals(0, fallback.exitCode(), fallback.output());
        assertTrue(fallback.output().contains("key 'fallback' (line 10) names no installed tiering policy: 'lru'"),
                fallback.output());
        Image.Result notInstalled = Image.litefleet(dir, Map.of(), "replicate", "-config", config("""
                    type: allowlist
                    allow: /x/*.db
                """).toString());
        assertNotEquals(0, notInstalled.exitCode(), notInstalled.output());
        assertTrue(notInstalled.output().contains("unknown tiering policy type 'allowlist' in "
                + dir.resolve("litefleet.yml") + ": multi-db (known: default)"), notInstalled.output());
        assertFalse(notInstalled.output().contains("\tat "), "no stack trace: " + notInstalled.output());
    }

    /** A plugins directory: the image's plugins (linked) plus the example, copied as an operator would. */
    private Path installPlugin() throws IOException {
        Path home = Image.litefleet().getParent().getParent();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (Stream<Path> shipped = Files.list(home.resolve("plugins"))) {
            for (Path p : shipped.toList()) {
                Files.createSymbolicLink(plugins.resolve(p.getFileName()), p);
            }
        }
        Path example = home.resolve("examples/plugins/tiering-allowlist");
        Path target = Files.createDirectories(plugins.resolve("tiering-allowlist"));
        try (Stream<Path> jars = Files.list(example)) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, target.resolve(jar.getFileName()));
            }
        }
        return plugins;
    }

    private Path database(String org, String tenant) throws Exception {
        Path db = Files.createDirectories(dir.resolve("data/" + org + "/tenants")).resolve(tenant + ".db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
        }
        return db;
    }

    /** A fleet over data/{org}/tenants/*.db with {@code policy} (indented lines) as its tiering-policy section. */
    private Path config(String policy) throws IOException {
        return Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %s
                multi-db:
                  patterns:
                    - "%s/{org}/tenants/*.db"
                  hot-idle-timeout: %ds
                  scan-interval: 5s
                  tiering-policy:
                %s  replica-template:
                    type: file
                    path: "%s/{{org}}/{{tenant}}"
                """.formatted(dir.resolve("state"), dir.resolve("data"), IDLE.toSeconds(), policy,
                dir.resolve("replica")));
    }

    /** What the catalog says now, by database ({@code litefleet databases --catalog --json}). */
    private Map<Path, Row> catalog(Path config, Map<String, String> env) {
        try {
            Image.Result r = Image.litefleet(dir, env, "databases", "-config", config.toString(), "--catalog",
                    "--json");
            Map<Path, Row> rows = new HashMap<>();
            if (r.exitCode() != 0) {
                return rows; // no catalog yet
            }
            Matcher m = ROW.matcher(r.output());
            while (m.find()) {
                rows.put(Path.of(m.group(1)), new Row(m.group(2), Long.parseLong(m.group(3), 16),
                        Long.parseLong(m.group(4))));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean is(Map<Path, Row> rows, Path db, String tier, long demotions) {
        Row r = rows.get(db);
        return r != null && r.tier().equals(tier) && r.demotions() == demotions;
    }
}
