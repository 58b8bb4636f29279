package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.control.Json;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code litefleet config check}: the databases a config replicates now, with replica URLs, collisions and
 * refusals, from the fleet's own discovery and templates; nothing replicated, no storage touched.
 */
class ConfigCheckTest {
    @TempDir
    Path dir;

    private Path db(String relative) throws Exception {
        Path db = dir.resolve(relative);
        Files.createDirectories(db.getParent());
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
        }
        return db;
    }

    private Path config(String template) throws Exception {
        if (!Files.exists(dir.resolve("dirmode/y.db"))) {
            db("dirmode/y.db"); // a dir: entry without databases is refused at start
        }
        return Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %1$s/state
                dbs:
                  - path: %1$s/app.db
                    replica:
                      url: file://%1$s/replica/app
                  - dir: %1$s/dirmode
                    pattern: "*.db"
                    replica:
                      url: file://%1$s/replica/dirmode
                multi-db:
                  patterns: ["%1$s/data/{project}/tenants/*.db"]
                  replica-template:
                    type: file
                    path: "%1$s/replica/%2$s"
                """.formatted(dir, template));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> databases(CliRun r) {
        return (List<Map<String, Object>>) Json.parseObject(r.out()).get("databases");
    }

    @Test
    void listsEveryDatabaseWithItsReplica_fromDbsDirAndPatterns_andTouchesNoStorage() throws Exception {
        Path a = db("data/acme/tenants/t1.db");
        Path b = db("data/globex/tenants/t1.db");
        Path d = db("dirmode/y.db");
        Path config = config("{{project}}/{{tenant}}");
        CliRun r = CliRun.of("config", "check", "-config", config.toString(), "-json");
        assertEquals(0, r.code(), r.err() + r.out());
        List<Map<String, Object>> dbs = databases(r);
        assertTrue(dbs != null, r.out());
        Map<String, Map<String, Object>> byPath = new java.util.HashMap<>();
        dbs.forEach(m -> byPath.put((String) m.get("path"), m));
        assertEquals(List.of("file://" + dir + "/replica/app"), byPath.get(dir + "/app.db").get("replicas"));
        assertEquals("dbs:", byPath.get(dir + "/app.db").get("source"));
        assertTrue(((List<String>) byPath.get(a.toString()).get("replicas")).get(0).endsWith("/replica/acme/t1"),
                byPath.get(a.toString()).toString());
        assertTrue(((List<String>) byPath.get(b.toString()).get("replicas")).get(0).endsWith("/replica/globex/t1"));
        assertTrue(((List<String>) byPath.get(d.toString()).get("replicas")).get(0)
                .endsWith("/replica/dirmode/y.db"), byPath.get(d.toString()).toString());
        assertFalse(byPath.get(a.toString()).containsKey("refused"));
        assertEquals(0L, ((Number) Json.parseObject(r.out()).get("collisions")).longValue());
        assertFalse(Files.exists(dir.resolve("replica")), "no storage touched: the file replica root is not created");
        assertFalse(Files.exists(dir.resolve("state")), "nothing started: no state directory");
        CliRun text = CliRun.of("config", "check", "-config", config.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains(a + "  [" + dir + "/data/{project}/tenants/*.db]"), text.out());
        assertTrue(text.out().contains("valid; 4 database(s) replicated, 0 not replicated"), text.out());
    }

    @Test
    void collision_namesBothDatabases_andExitsOne() throws Exception {
        Path a = db("data/acme/tenants/t1.db");
        Path b = db("data/globex/tenants/t1.db");
        Path config = config("{{tenant}}"); // the project is left out: both map to replica/t1
        CliRun r = CliRun.of("config", "check", "-config", config.toString(), "-json");
        assertEquals(1, r.code(), r.out());
        assertTrue(databases(r) != null, r.out());
        for (Map<String, Object> m : databases(r)) {
            if (m.get("path").equals(a.toString()) || m.get("path").equals(b.toString())) {
                String why = (String) m.get("refused");
                assertTrue(why.startsWith("replica path collision") && why.contains(a.toString())
                        && why.contains(b.toString()), why);
            }
        }
        assertEquals(2L, ((Number) Json.parseObject(r.out()).get("collisions")).longValue());
        assertTrue(String.valueOf(Json.parseObject(r.out()).get("warnings")).contains("project"),
                "the unused variable is warned about, as the daemon does: " + r.out());
        CliRun text = CliRun.of("config", "check", "-config", config.toString());
        assertEquals(1, text.code());
        assertTrue(text.out().contains("NOT REPLICATED: replica path collision"), text.out());
        assertTrue(text.out().contains("warning: "), text.out());
    }

    @Test
    void dbsEntryMatchedByAPattern_isReportedAsLeftOutOfTheFleet() throws Exception {
        db("data/acme/tenants/t1.db");
        Path listed = db("data/acme/tenants/listed.db");
        Path config = Files.writeString(dir.resolve("both.yml"), """
                dbs:
                  - path: %1$s
                    replica: {url: file://%2$s/replica/listed}
                multi-db:
                  patterns: ["%2$s/data/{project}/tenants/*.db"]
                  replica-template: {type: file, path: "%2$s/replica/{{project}}/{{tenant}}"}
                """.formatted(listed, dir));
        CliRun r = CliRun.of("config", "check", "-config", config.toString(), "--state-dir", dir.resolve("s").toString(),
                "-json");
        assertEquals(0, r.code(), r.err());
        assertTrue(databases(r).stream().anyMatch(m -> m.get("path").equals(listed.toString())
                && String.valueOf(m.get("refused")).startsWith("listed under dbs:")), r.out());
    }

    @Test
    void invalidConfig_namesTheFileAndKey_exitsOne_textAndJson() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yml"), """
                multi-db:
                  patterns: ["%s/data/*.db"]
                  scan-interval: often
                  replica-template: {type: file, path: "/r/{{#1}}"}
                """.formatted(dir));
        CliRun text = CliRun.of("config", "check", "-config", bad.toString());
        assertEquals(1, text.code());
        assertTrue(text.err().contains(bad.toString()) && text.err().contains("scan-interval")
                && text.err().contains("often"), text.err());
        assertFalse(text.err().contains("at io.litefleet"), "no stack trace: " + text.err());
        CliRun json = CliRun.of("config", "check", "-config", bad.toString(), "-json");
        assertEquals(1, json.code());
        Map<String, Object> m = Json.parseObject(json.out());
        assertEquals(false, m.get("valid"));
        assertTrue(String.valueOf(m.get("error")).contains("scan-interval"), json.out());
        CliRun missing = CliRun.of("config", "check", "-config", dir.resolve("none.yml").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("none.yml"), missing.err());
        CliRun noSub = CliRun.of("config");
        assertEquals(1, noSub.code());
        assertTrue(noSub.err().contains("check"), noSub.err());
    }
}
