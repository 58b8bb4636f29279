package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DirectoryConfigTest {
    private static LitefleetConfig parse(String yaml) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(Map.<String, String>of()::get)
                .parse("/etc/l.yml", yaml));
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    private static DirectoryConfig only(String yaml) {
        List<DirectoryConfig> dirs = parse(yaml).fleet().orElseThrow().directories();
        assertEquals(1, dirs.size());
        return dirs.get(0);
    }

    @Test
    void dirEntry_runsOnTheFleet_withTheFleetDefaults() {
        LitefleetConfig c = parse("""
                dbs:
                  - dir: /data/tenants
                    pattern: "*.db"
                    recursive: true
                    watch: true
                    replica:
                      url: s3://bkt/backups
                """);
        assertTrue(c.dbs().isEmpty());
        FleetConfig f = c.fleet().orElseThrow();
        assertEquals(List.of(), f.patterns());
        assertEquals(FleetConfig.DEFAULT_MAX_HOT, f.maxHotDatabases());
        assertEquals(FleetConfig.DEFAULT_SCAN_INTERVAL, f.scanInterval());
        DirectoryConfig d = f.directories().get(0);
        assertEquals(Path.of("/data/tenants"), d.dir());
        assertTrue(d.recursive());
        assertTrue(d.watch());
        assertEquals("/data/tenants/**/*.db", d.glob());
        assertEquals(Duration.ofSeconds(1), f.syncInterval());
    }

    @Test
    void watchAndRecursive_defaultToFalse_asUpstream() {
        DirectoryConfig d = only("dbs:\n  - dir: /data\n    pattern: '*.db'\n    replica: {path: /r}\n");
        assertFalse(d.watch());
        assertFalse(d.recursive());
        assertEquals("/data/*.db", d.glob());
    }

    @Test
    void dirEntries_pathEntries_andMultiDb_together() {
        LitefleetConfig c = parse("""
                dbs:
                  - path: /data/main.db
                    replica: {path: /r/main}
                  - dir: /data/a
                    pattern: "*.db"
                    replica: {path: /r/a}
                  - dir: /data/b
                    pattern: "*.sqlite"
                    replicas: [{path: /r/b1}, {type: s3, bucket: x, path: b2}]
                multi-db:
                  patterns: ["/fleet/*/db/*.db"]
                  max-hot-databases: 7
                  replica-template: {path: "/r/fleet/{{db}}"}
                """);
        assertEquals(1, c.dbs().size());
        FleetConfig f = c.fleet().orElseThrow();
        assertEquals(List.of("/fleet/*/db/*.db"), f.patterns());
        assertEquals(7, f.maxHotDatabases());
        assertEquals(2, f.directories().size());
        assertEquals(2, f.destinations());
        assertEquals(Path.of("/data/b"), f.directory("/data/b/*.sqlite").orElseThrow().dir());
        assertTrue(f.isExcluded(Path.of("/data/main.db")));
        assertEquals("s3", parse("dbs:\n  - dir: /d\n    pattern: '*'\n    replica: {type: s3, bucket: b}\n")
                .fleet().orElseThrow().replicaType(Path.of("/d/x.db")));
        assertEquals("file", f.replicaType(Path.of("/data/b/x.sqlite")));
        assertEquals("file", f.replicaType(Path.of("/fleet/p/db/x.db")));
    }

    @Test
    void multiDbWithoutPatterns_tunesTheDirectoryFleet() {
        FleetConfig f = parse("""
                dbs:
                  - dir: /data
                    pattern: "*.db"
                    watch: true
                    replica: {path: /r}
                multi-db:
                  max-hot-databases: 5
                  scan-interval: 2s
                  hot-idle-timeout: 1m
                """).fleet().orElseThrow();
        assertEquals(5, f.maxHotDatabases());
        assertEquals(Duration.ofSeconds(2), f.scanInterval());
        assertEquals(Duration.ofMinutes(1), f.tiering().hotIdleTimeout());
        assertEquals(List.of(), f.patterns());
    }

    /** Upstream's cloneReplicaConfigWithRelativePath, case by case (its own tests give the s3 URL ones). */
    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "s3://test-bucket/backups | team-a/db.sqlite | s3://test-bucket/backups/team-a/db.sqlite",
            "s3://legacy-bucket/base | subs/db2.sqlite | s3://legacy-bucket/base/subs/db2.sqlite",
            "s3://bkt | a.db | s3://bkt/a.db",
            "s3://bkt/ | a.db | s3://bkt/a.db",
            "s3://bkt/p/../q/ | a.db | s3://bkt/q/a.db",
            "s3://bkt/p?endpoint=http://localhost:9000&forcePathStyle=true | a.db "
                    + "| s3://bkt/p/a.db?endpoint=http://localhost:9000&forcePathStyle=true",
            "file:///backups | x/y.db | file:///backups/x/y.db",
            "gs://bkt/p | a.db | gs://bkt/p/a.db",
            "abs://acct@container/p | a.db | abs://acct@container/p/a.db",
            "sftp://user@host:2222/srv/r | t/a.db | sftp://user@host:2222/srv/r/t/a.db",
            "s3://bkt/p | my db.db | s3://bkt/p/my%20db.db",
    })
    void url_getsTheRelativePathAppended(String url, String rel, String expected) {
        DirectoryConfig d = only("dbs:\n  - dir: /data\n    pattern: '*'\n    replica: {url: '" + url + "'}\n");
        ReplicaConfig r = d.replicasFor(Path.of("/data").resolve(rel)).get(0);
        assertEquals(expected, r.url().orElseThrow().toString());
    }

    @ParameterizedTest(name = "{0} path {1} + {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "file | /backups | a.db | /backups/a.db",
            "file | /backups/ | sub/a.db | /backups/sub/a.db",
            "s3 | backups | sub/a.db | backups/sub/a.db",
            "s3 | /backups/ | a.db | /backups/a.db",
            "gs | '' | a.db | a.db",
            "abs | x/./y | a.db | x/y/a.db",
            "sftp | /srv/r | t/a.db | /srv/r/t/a.db",
    })
    void path_isJoinedWithTheRelativePath(String type, String path, String rel, String expected) {
        DirectoryConfig d = only("dbs:\n  - dir: /data\n    pattern: '*'\n    replica: {type: " + type
                + ", bucket: b, path: '" + path + "'}\n");
        ReplicaConfig r = d.replicasFor(Path.of("/data").resolve(rel)).get(0);
        assertEquals(expected, r.backend().string("path").orElseThrow());
        assertEquals("b", r.backend().string("bucket").orElseThrow());
    }

    @Test
    void noPath_theRelativePathIsThePath() {
        DirectoryConfig d = only("dbs:\n  - dir: /data\n    pattern: '*'\n    replica: {type: s3, bucket: b}\n");
        assertEquals("t/a.db", d.replicasFor(Path.of("/data/t/a.db")).get(0).backend().string("path")
                .orElseThrow());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "*.db | *.db",
            "**.db | *.db",
            "db-?.sqlite | db-?.sqlite",
            "[abc]*.db | [abc]*.db",
            "[^a-c]*.db | [^a-c]*.db",
            "[!x].db | [\\!x].db",
            "{a}.db | \\{a\\}.db",
            "\\*.db | \\*.db",
    })
    void pattern_upstreamSyntax_translatesToTheGlobDiscovery(String upstream, String glob) {
        assertEquals(glob, NamePattern.toGlob(upstream));
    }

    @Test
    void dirWithGlobCharacters_isLiteral() {
        assertEquals("/data/a\\[1\\]/*.db", only("dbs:\n  - dir: '/data/a[1]'\n    pattern: '*.db'\n"
                + "    replica: {path: /r}\n").glob());
    }

    @Test
    void badInputs_nameFileLineAndKey() {
        assertEquals("/etc/l.yml: dbs[0]: key 'dir' (line 2) must not be empty",
                error("dbs:\n  - dir: ''\n    pattern: '*.db'\n    replica: {path: /r}\n"));
        assertEquals("/etc/l.yml: dbs[0]: give either 'path' or 'dir', not both (key 'dir' (line 3), key 'path' "
                + "(line 2))", error("dbs:\n  - path: /a.db\n    dir: /data\n    pattern: '*.db'\n"
                + "    replica: {path: /r}\n"));
        assertEquals("/etc/l.yml: dbs[0]: missing required key 'pattern' for 'dir' (line 2) (a file-name pattern "
                + "such as \"*.db\")", error("dbs:\n  - dir: /data\n    replica: {path: /r}\n"));
        assertEquals("/etc/l.yml: dbs[0]: key 'pattern' (line 3) '[a-' syntax error in pattern: '[' at 1 is not "
                + "closed", error("dbs:\n  - dir: /data\n    pattern: '[a-'\n    replica: {path: /r}\n"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: '[z-a].db'\n    replica: {path: /r}\n")
                .contains("key 'pattern' (line 3) '[z-a].db' syntax error in pattern: range 'z-a' is reversed"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: 'x\\'\n    replica: {path: /r}\n")
                .contains("key 'pattern' (line 3)"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: 'sub/*.db'\n    replica: {path: /r}\n")
                .contains("must not contain '/'"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: '*.db'\n    watch: maybe\n    replica: {path: /r}\n")
                .contains("key 'watch' (line 4) must be true or false, got 'maybe'"));
        assertEquals("/etc/l.yml: dbs[0]: key 'watch' (line 4) can only be used with 'dir' (directory mode), not "
                + "with 'path'", error("dbs:\n  - path: /a.db\n    replica: {path: /r}\n    watch: true\n"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: '*.db'\n    busy-timeout: 1s\n    replica: {path: /r}\n")
                .contains("key 'busy-timeout' (line 4) is not taken by a directory entry"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: '*.db'\n").contains("needs a 'replica' section"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: '*.db'\n    replica: {path: /r}\n"
                + "  - dir: /data/\n    pattern: '*.db'\n    replica: {path: /s}\n")
                .contains("dbs[1]: key 'dir' (line 5): dir /data (pattern *.db) repeats /etc/l.yml: dbs[0]: key "
                        + "'dir' (line 2)"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: '*.db'\n    replica: {path: /r, sync-interval: 5s}\n"
                + "  - dir: /other\n    pattern: '*.db'\n    replica: {path: /s}\n")
                .contains("replica 'file' has sync-interval 1s, but the fleet engine ships all its databases at one "
                        + "interval, 5s"));
        assertTrue(error("dbs:\n  - dir: /data\n    pattern: '*.db'\n    replica: {path: /r}\nmulti-db:\n"
                + "  patterns: ['/data/*.db']\n  replica-template: {path: '/t/{{db}}'}\n")
                .contains("multi-db: key 'patterns' (line 6) lists '/data/*.db', which is /etc/l.yml: dbs[0]: key "
                        + "'dir' (line 2)"));
    }
}
