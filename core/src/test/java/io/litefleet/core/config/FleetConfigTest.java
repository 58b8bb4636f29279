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
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetConfigTest {
    private static final String DESIGN = """
            multi-db:
              enabled: true
              patterns:
                - "/data/*/databases/*/branches/*/tenants/*.db"
              max-hot-databases: 1000
              scan-interval: 30s
              replica-template:
                type: s3
                bucket: my-backups
                path: "{{project}}/{{database}}/{{branch}}/{{tenant}}"
                region: us-east-1
                sync-interval: 1s
            """;

    private static LitefleetConfig parse(String yaml) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(k -> null)
                .parse("/etc/l.yml", yaml));
    }

    private static FleetConfig fleet(String yaml) {
        return parse(yaml).fleet().orElseThrow();
    }

    /** A minimal valid section with {@code extra} lines added under multi-db:. */
    private static String minimal(String extra) {
        return "multi-db:\n  patterns: [\"/data/*/databases/*.db\"]\n"
                + "  replica-template: {type: file, path: \"/backups/{{database}}\"}\n" + extra;
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void parse_designSectionVerbatim_givesEveryValue() {
        FleetConfig f = fleet(DESIGN);
        assertEquals(List.of("/data/*/databases/*/branches/*/tenants/*.db"), f.patterns());
        assertEquals(1000, f.maxHotDatabases());
        assertEquals(Duration.ofSeconds(30), f.scanInterval());
        ReplicaConfig base = f.replicaTemplate().base();
        assertEquals("s3", base.type());
        assertEquals(Duration.ofSeconds(1), base.syncInterval());
        assertEquals(Map.of("bucket", "my-backups", "path", "{{project}}/{{database}}/{{branch}}/{{tenant}}",
                "region", "us-east-1"), base.backend().values());
        assertEquals(List.of("project", "database", "branch", "tenant"), f.replicaTemplate().placeholders());
        assertEquals("/etc/l.yml: multi-db", f.origin());
    }

    @Test
    void parse_absentKeys_takeTheDesignDefaults() {
        FleetConfig f = fleet(minimal(""));
        assertEquals(1000, f.maxHotDatabases());
        assertEquals(Duration.ofSeconds(30), f.scanInterval());
        assertEquals(Duration.ofMinutes(5), f.tiering().hotIdleTimeout());
        assertEquals(Duration.ofMinutes(5), f.tiering().promoteIfModifiedWithin());
        assertEquals(10, f.tiering().promoteIfAccessedMoreThan());
        assertEquals(Optional.empty(), f.coldSnapshotInterval());
        assertEquals(Optional.empty(), f.stateDir());
        assertEquals("glob", f.discovery().type());
        assertEquals(List.of("/data/*/databases/*.db"), f.discovery().settings().strings("patterns"));
        assertEquals("default", f.tiering().policy().type());
        assertEquals(Duration.ofSeconds(1), f.replicaTemplate().base().syncInterval());
        assertEquals(Set.of(), f.excludedPaths());
    }

    @Test
    void parse_everyKeyGiven_overridesTheDefaults() {
        FleetConfig f = fleet(minimal("""
                  enabled: yes
                  max-hot-databases: 50
                  scan-interval: 5s
                  hot-idle-timeout: 90s
                  promote-if-modified-within: 2m
                  promote-if-accessed-more-than: 3
                  cold-snapshot-interval: 30s
                  state-dir: /var/lib/litefleet
                  discovery: {type: GLOB, follow-links: "false"}
                  tiering-policy: {type: lru-ish, weight: "2"}
                """));
        assertEquals(50, f.maxHotDatabases());
        assertEquals(Duration.ofSeconds(5), f.scanInterval());
        assertEquals(Duration.ofSeconds(90), f.tiering().hotIdleTimeout());
        assertEquals(Duration.ofMinutes(2), f.tiering().promoteIfModifiedWithin());
        assertEquals(3, f.tiering().promoteIfAccessedMoreThan());
        assertEquals(Optional.of(Duration.ofSeconds(30)), f.coldSnapshotInterval());
        assertEquals(Optional.of(Path.of("/var/lib/litefleet")), f.stateDir());
        assertEquals("glob", f.discovery().type());
        assertEquals("false", f.discovery().settings().string("follow-links").orElseThrow());
        assertFalse(f.discovery().settings().has("type"));
        assertEquals("lru-ish", f.tiering().policy().type());
        assertEquals("2", f.tiering().policy().settings().string("weight").orElseThrow());
    }

    @Test
    void parse_tieringPolicySettings_carryTheThresholdsReadableAsDurations() {
        FleetConfig f = fleet(minimal("  hot-idle-timeout: 90s\n  promote-if-accessed-more-than: 4\n"));
        var s = f.tiering().policy().settings();
        assertEquals(Duration.ofSeconds(90), s.duration("hot-idle-timeout", null));
        assertEquals(Duration.ofMinutes(5), s.duration("promote-if-modified-within", null));
        assertEquals(4, s.integer("promote-if-accessed-more-than", -1, 0, 100));
        assertTrue(error(minimal("  tiering-policy: {hot-idle-timeout: 1m}\n"))
                .contains("key 'hot-idle-timeout' (line 4) does not belong here"));
    }

    @Test
    void parse_coldSnapshotIntervalZero_meansOff() {
        assertEquals(Optional.empty(), fleet(minimal("  cold-snapshot-interval: 0\n")).coldSnapshotInterval());
    }

    @Test
    void parse_stateDir_fallsBackToTheTopLevelOne() {
        assertEquals(Optional.of(Path.of("/srv/state")), fleet("state-dir: /srv/state\n" + minimal("")).stateDir());
        assertEquals(Optional.of(Path.of("/srv/fleet")),
                fleet("state-dir: /srv/state\n" + minimal("  state-dir: /srv/fleet\n")).stateDir());
    }

    @Test
    void parse_enabledFalse_turnsFleetModeOffButStillRejectsUnknownKeys() {
        LitefleetConfig c = parse("multi-db:\n  enabled: false\n  patterns: [relative/*.db]\n");
        assertEquals(Optional.empty(), c.fleet());
        assertTrue(c.multiDb().isPresent());
        assertTrue(error("multi-db:\n  enabled: false\n  patern: [/a/*.db]\n")
                .startsWith("/etc/l.yml: multi-db: unknown key 'patern' (line 3)"));
    }

    @Test
    void parse_noMultiDbSection_hasNoFleet() {
        assertEquals(Optional.empty(), parse("dbs: []\n").fleet());
    }

    @Test
    void parse_dbsAndMultiDbTogether_excludeTheListedPathsFromTheFleet() {
        LitefleetConfig c = parse("dbs:\n  - path: /data/p/databases/main.db\n    replica: {path: /r/main}\n"
                + minimal(""));
        FleetConfig f = c.fleet().orElseThrow();
        assertEquals(1, c.dbs().size());
        assertTrue(f.isExcluded(Path.of("/data/p/databases/main.db")));
        assertFalse(f.isExcluded(Path.of("/data/p/databases/other.db")));
    }

    @Test
    void parse_unknownKey_namesFileLineAndKey() {
        assertTrue(error(minimal("  max-hot-dbs: 5\n"))
                .startsWith("/etc/l.yml: multi-db: unknown key 'max-hot-dbs' (line 4) (known keys: "));
    }

    @Test
    void parse_fullScanInterval_defaultsToAnHourOrTheLongerScanInterval() {
        assertEquals(Duration.ofHours(1), fleet(minimal("")).fullScanInterval());
        assertEquals(Duration.ofHours(2), fleet(minimal("  scan-interval: 2h\n")).fullScanInterval());
        assertEquals(Duration.ofMinutes(10), fleet(minimal("  full-scan-interval: 10m\n")).fullScanInterval());
    }

    @Test
    void parse_fullScanIntervalShorterThanScanInterval_namesBothValues() {
        assertTrue(error(minimal("  scan-interval: 5m\n  full-scan-interval: 1m\n")).contains("multi-db: key "
                + "'full-scan-interval' (line 5) is 1m, shorter than scan-interval 5m"));
    }

    @Test
    void parse_badDurations_nameKeyLineAndValue() {
        assertTrue(error(minimal("  scan-interval: often\n"))
                .contains("multi-db: key 'scan-interval' (line 4) must be a duration such as 1s, 500ms, 5m or 1h30m, "
                        + "got 'often'"));
        assertTrue(error(minimal("  hot-idle-timeout: 5 minutes\n")).contains("key 'hot-idle-timeout' (line 4)"));
        assertTrue(error(minimal("  scan-interval: 0s\n")).contains("key 'scan-interval' (line 4) must be positive"));
        assertTrue(error(minimal("  promote-if-modified-within: -1s\n"))
                .contains("key 'promote-if-modified-within' (line 4)"));
        assertTrue(error(minimal("  cold-snapshot-interval: daily\n"))
                .contains("key 'cold-snapshot-interval' (line 4)"));
    }

    @Test
    void parse_maxHotZero_isRejected() {
        assertTrue(error(minimal("  max-hot-databases: 0\n"))
                .contains("key 'max-hot-databases' (line 4) must be between 1 and"));
        assertTrue(error(minimal("  promote-if-accessed-more-than: -1\n"))
                .contains("key 'promote-if-accessed-more-than' (line 4) must be between 0 and"));
    }

    @Test
    void parse_relativePattern_isRejectedWithThePattern() {
        assertEquals("/etc/l.yml: multi-db: key 'patterns' (line 2) must list absolute patterns (starting with /), "
                + "got 'data/*.db'", error("multi-db:\n  patterns: [data/*.db]\n  replica-template: {path: x}\n"));
        assertTrue(error("multi-db:\n  patterns: [/a/*.db, /a/*.db]\n  replica-template: {path: \"{{a}}\"}\n")
                .contains("lists '/a/*.db' twice"));
        assertTrue(error("multi-db:\n  replica-template: {path: \"{{a}}\"}\n")
                .contains("multi-db: missing required key 'patterns'"));
    }

    @Test
    void parse_templateWithoutPath_namesTheKey() {
        assertTrue(error("multi-db:\n  patterns: [/a/*.db]\n  replica-template: {type: s3, bucket: b}\n")
                .startsWith("/etc/l.yml: multi-db.replica-template: missing required key 'path'"));
        assertTrue(error("multi-db:\n  patterns: [/a/*.db]\n")
                .startsWith("/etc/l.yml: multi-db: missing required key 'replica-template'"));
    }

    @Test
    void parse_discoveryPatternsInsideThePluginSection_areRejected() {
        assertTrue(error(minimal("  discovery: {patterns: [/x/*.db]}\n"))
                .contains("multi-db.discovery: key 'patterns' (line 4) does not belong here"));
    }
}
