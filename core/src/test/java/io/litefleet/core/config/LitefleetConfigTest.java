package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LitefleetConfigTest {
    private static LitefleetConfig parse(String yaml) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(Map.of("B", "bkt")::get)
                .parse("/etc/l.yml", yaml));
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void parse_litestreamDbsSection_withEveryEngineKey() {
        LitefleetConfig c = parse("""
                levels:
                  - interval: 10s
                  - interval: 1m
                snapshot:
                  interval: 1h
                  retention: 2h
                l0-retention: 1m
                l0-retention-check-interval: 5s
                dbs:
                  - path: /data/a.db
                    monitor-interval: 250ms
                    checkpoint-interval: 30s
                    min-checkpoint-page-count: 500
                    truncate-page-n: 9000
                    busy-timeout: 2s
                    replica:
                      type: s3
                      bucket: ${B}
                      path: backups/a
                      sync-interval: 500ms
                  - path: /data/b.db
                    replicas:
                      - url: file:///backups/b
                """);
        assertEquals(2, c.dbs().size());
        DbConfig a = c.dbs().get(0);
        assertEquals(Path.of("/data/a.db"), a.path());
        assertEquals("s3", a.replica().type());
        assertEquals(Duration.ofMillis(500), a.engine().syncInterval());
        assertEquals(500, a.engine().minCheckpointPages());
        assertEquals(9000, a.engine().truncatePages());
        assertEquals(Map.of("bucket", "bkt", "path", "backups/a"), a.replica().backend().values());
        assertEquals("file", c.dbs().get(1).replica().type());
        assertEquals(Duration.ofSeconds(1), c.dbs().get(1).engine().syncInterval());
        assertEquals(3, c.compaction().levels().size());
        assertEquals(Duration.ofMinutes(1), c.compaction().interval(2));
        assertEquals(Duration.ofHours(2), c.compaction().snapshotRetention());
        assertEquals(Duration.ofSeconds(5), c.compaction().l0RetentionCheck());
    }

    @Test
    void parse_unknownKeys_nameFileLineAndKey() {
        String dbz = error("dbz: []\n");
        assertTrue(dbz.startsWith("/etc/l.yml: unknown key 'dbz' (line 1) (known keys: access-key-id, account-key, "
                + "account-name, addr, addr-token, addr-token-file, auto-recover, bucket, cluster, concurrency, "
                + "concurrent-writes, dbs, endpoint,"), dbz);
        assertTrue(dbz.endsWith("sync-interval, user)"), dbz);
        assertTrue(error("dbs:\n  - path: /a.db\n    replica: {type: file, path: /r}\n    colour: blue\n")
                .startsWith("/etc/l.yml: dbs[0]: unknown key 'colour' (line 4)"));
    }

    @Test
    void parse_execFirstBootAndWalConversionKeys_withUpstreamDefaults() {
        LitefleetConfig c = parse("""
                exec: myapp serve --port 8080
                dbs:
                  - path: /data/a.db
                    restore-if-db-not-exists: true
                    replica: {url: file:///backups/a}
                  - path: /data/b.db
                    convert-to-wal: false
                    replica: {url: file:///backups/b}
                multi-db:
                  patterns: [/fleet/*.db]
                  replica-template: {type: file, path: "/fleet-backups/{{name}}"}
                """);
        assertEquals(java.util.Optional.of("myapp serve --port 8080"), c.exec());
        assertTrue(c.dbs().get(0).restoreIfNotExists());
        assertTrue(c.dbs().get(0).engine().convertToWal(), "dbs: entries convert as upstream does");
        assertTrue(!c.dbs().get(1).restoreIfNotExists());
        assertTrue(!c.dbs().get(1).engine().convertToWal());
        assertTrue(!c.fleet().orElseThrow().convertToWal(), "fleet mode does not convert unless asked");
        assertTrue(parse("multi-db:\n  patterns: [/f/*.db]\n  convert-to-wal: true\n  replica-template: "
                + "{type: file, path: '/b/{{name}}'}\n").fleet().orElseThrow().convertToWal());
        assertTrue(parse("exec: ''\ndbs: []\n").exec().isEmpty(), "an empty exec: runs nothing, as upstream");
    }

    @Test
    void parse_badExecFirstBootAndWalConversionValues_nameTheKey() {
        assertTrue(error("dbs:\n  - path: /a.db\n    restore-if-db-not-exists: maybe\n    replica: {path: /r}\n")
                .contains("restore-if-db-not-exists"));
        assertTrue(error("dbs:\n  - path: /a.db\n    convert-to-wal: nah\n    replica: {path: /r}\n")
                .contains("convert-to-wal"));
        assertTrue(error("multi-db:\n  patterns: [/f/*.db]\n  convert-to-wal: 2\n  replica-template: "
                + "{type: file, path: '/b/{{name}}'}\n").contains("convert-to-wal"));
    }

    @Test
    void load_withoutExpansion_keepsDollarNamesAsWritten(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("l.yml"),
                "dbs:\n  - path: /data/$LITEFLEET_TEST_UNSET_VAR/a.db\n    replica:\n      path: /r/${LITEFLEET_TEST_UNSET_VAR}\n");
        assertThrows(ConfigException.class, () -> LitefleetConfig.load(file), "expanded, an unset variable is refused");
        LitefleetConfig c = LitefleetConfig.load(file, false);
        assertEquals(Path.of("/data/$LITEFLEET_TEST_UNSET_VAR/a.db"), c.dbs().get(0).path());
        assertEquals("/r/${LITEFLEET_TEST_UNSET_VAR}", c.dbs().get(0).replica().backend().values().get("path"));
    }

    @Test
    void parse_databasePaths_asUpstreamReadsThem() {
        LitefleetConfig c = parse("""
                dbs:
                  - path: relative/a.db
                    replica: {path: /r/a}
                  - path: ~/b.db
                    replica: {path: /r/b}
                  - path: sqlite3:///data/c.db
                    replica: {path: /r/c}
                  - path: sqlite:///data/./d.db
                    replica: {path: /r/d}
                """);
        assertEquals(java.util.List.of(Path.of("relative/a.db").toAbsolutePath(),
                Path.of(System.getProperty("user.home"), "b.db"), Path.of("/data/c.db"), Path.of("/data/d.db")),
                c.dbs().stream().map(DbConfig::path).toList());
    }

    @Test
    void parse_litestreamFeaturesWeLack_areNamedWithAHint() {
        assertTrue(error("mcp-addr: ':3001'\n")
                .contains("key 'mcp-addr' (line 1) is not supported: Litefleet has no MCP server"));
        assertTrue(error("dbs:\n  - path: /a.db\n    meta-path: /x\n    replica: {path: /r}\n")
                .contains("state-dir"));
    }

    @Test
    void parse_badValues_nameTheKeyAndValue() {
        assertTrue(error("dbs:\n  - path: ''\n    replica: {path: /r}\n")
                .contains("key 'path' (line 2) must not be empty"));
        assertTrue(error("dbs:\n  - path: 'sqlite://'\n    replica: {path: /r}\n")
                .contains("key 'path' (line 2) must be a path, got 'sqlite://'"));
        assertTrue(error("dbs:\n  - path: /a.db\n    monitor-interval: often\n    replica: {path: /r}\n")
                .contains("key 'monitor-interval' (line 3) must be a duration"));
        assertTrue(error("dbs:\n  - path: /a.db\n    replica: {url: 'not a url'}\n").contains("key 'url'"));
        assertTrue(error("dbs:\n  - path: /a.db\n").contains("needs a 'replica' section"));
        assertTrue(error("dbs:\n  - path: /a.db\n    replicas: [{name: x, path: /r}, {name: x, path: /s}]\n")
                .contains("'x' is used by another replica of this database"));
        assertTrue(error("dbs:\n  - path: /a.db\n    replica: {path: /r}\n  - path: /a.db\n    replica: {path: /s}\n")
                .contains("listed twice"));
        assertTrue(error("levels:\n  - interval: 0s\n").contains("positive 'interval'"));
        assertEquals("/etc/l.yml: L0 retention check interval must be positive, got PT0S",
                error("l0-retention-check-interval: 0s\n"));
    }

    @Test
    void parse_loggingSection_levelTypeStderr_badValuesNamed() {
        LitefleetConfig c = parse("logging:\n  level: DEBUG\n  type: json\n  stderr: false\n");
        assertEquals(new LoggingConfig(System.Logger.Level.DEBUG, true, java.util.Optional.of(false)), c.logging());
        assertEquals(LoggingConfig.DEFAULTS, parse("dbs: []\n").logging());
        assertTrue(error("logging:\n  level: loud\n").contains("key 'level' (line 2) must be debug, info, warn or "
                + "error, got 'loud'"), error("logging:\n  level: loud\n"));
        assertTrue(error("logging:\n  type: xml\n").contains("must be text or json, got 'xml'"));
        assertTrue(error("logging:\n  colour: red\n").contains("unknown key 'colour'"));
    }

    @Test
    void parse_severalReplicas_eachNamed_byTypeWhenUnnamed() {
        LitefleetConfig c = LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(k -> null).parse(
                "/etc/l.yml", """
                dbs:
                  - path: /a.db
                    replicas:
                      - {type: file, path: /r1}
                      - {type: file, path: /r2, sync-interval: 10s}
                      - {name: offsite, type: s3, bucket: b, path: a}
                """));
        var replicas = c.dbs().get(0).replicas();
        assertEquals(List.of("file", "file-2", "offsite"), replicas.stream().map(ReplicaConfig::name).toList());
        assertEquals(java.time.Duration.ofSeconds(10), replicas.get(1).syncInterval());
        assertEquals("s3", c.dbs().get(0).replica("offsite").orElseThrow().type());
    }
}
