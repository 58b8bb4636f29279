package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.FileFingerprint;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The binding rule on the design's three examples. Variable maps are built by hand in the discovery SPI's
 * convention: named captures by name, else the singular of the directory before the wildcard, else {@code #k}.
 */
class ReplicaTemplateTest {
    private static final String P1 = "/data/*/databases/*/branches/*/tenants/*.db";
    private static final List<String> P1_VARS = List.of("#1", "database", "branch", "tenant");
    private static final String P2 = "/data/tenants/*/databases/*.db";
    private static final List<String> P2_VARS = List.of("tenant", "database");
    private static final String P3A = "/data/*/projects/*/branches/*/db/*.sqlite";
    private static final List<String> P3A_VARS = List.of("#1", "project", "branch", "db");
    private static final String P3B = "/var/lib/apps/*/data/*.db";
    private static final List<String> P3B_VARS = List.of("app", "data");

    private static ReplicaTemplate template(String path) {
        Settings section = YamlLoader.withEnvironment(k -> null).parse("/etc/l.yml",
                "multi-db:\n  replica-template:\n    type: s3\n    bucket: b\n    path: \"" + path + "\"\n")
                .section("multi-db").orElseThrow().section("replica-template").orElseThrow();
        return ReplicaTemplate.parse(section, new Settings("/etc/l.yml", Map.of()));
    }

    private static DiscoveredDatabase db(String path, String pattern, String... keyValues) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            vars.put(keyValues[i], keyValues[i + 1]);
        }
        return new DiscoveredDatabase(Path.of(path), pattern, vars, FileFingerprint.ABSENT);
    }

    @Test
    void bind_designExampleOne_projectTakesTheFirstUnnamedWildcard() {
        ReplicaTemplate t = template("{{project}}/{{database}}/{{branch}}/{{tenant}}");
        assertEquals(Map.of("project", "#1", "database", "database", "branch", "branch", "tenant", "tenant"),
                t.bindings(P1, P1_VARS));
        assertEquals(List.of(), t.validate(Map.of(P1, P1_VARS)));
        ReplicaConfig r = t.resolve(db("/data/acme/databases/crm/branches/main/tenants/t42.db", P1,
                "#1", "acme", "database", "crm", "branch", "main", "tenant", "t42"));
        assertEquals("acme/crm/main/t42", r.backend().string("path").orElseThrow());
        assertEquals("b", r.backend().string("bucket").orElseThrow());
        assertEquals("s3", r.type());
    }

    @Test
    void variablesOf_invertsResolvePath_andRefusesOtherShapesAndUnusedVariables() {
        ReplicaTemplate t = template("/backups/{{project}}/{{database}}/{{branch}}/{{tenant}}");
        assertEquals("backups", t.fixedPrefix());
        assertEquals(Optional.of(Map.of("#1", "acme", "database", "crm", "branch", "main", "tenant", "t42")),
                t.variablesOf(P1, P1_VARS, "backups/acme/crm/main/t42"));
        assertEquals(Optional.empty(), t.variablesOf(P1, P1_VARS, "backups/acme/crm/main"));
        assertEquals(Optional.empty(), t.variablesOf(P1, P1_VARS, "other/acme/crm/main/t42"));
        assertEquals(Optional.empty(), t.variablesOf(P1, P1_VARS, "backups/acme/crm/main/t4/2"));
        ReplicaTemplate twice = template("x-{{tenant}}/{{database}}/{{tenant}}.bak");
        assertEquals("", twice.fixedPrefix());
        assertEquals(Optional.of(Map.of("tenant", "t7", "database", "orders")),
                twice.variablesOf(P2, P2_VARS, "x-t7/orders/t7.bak"));
        assertEquals(Optional.empty(), twice.variablesOf(P2, P2_VARS, "x-t7/orders/t8.bak"), "repeats must agree");
        assertEquals(Optional.empty(), template("{{tenant}}").variablesOf(P2, P2_VARS, "t7"),
                "database is read by no placeholder: the path does not tell it");
    }

    @Test
    void bind_designExampleTwo_everyPlaceholderIsADirectoryName() {
        ReplicaTemplate t = template("tenants/{{tenant}}/{{database}}");
        assertEquals(Map.of("tenant", "tenant", "database", "database"), t.bindings(P2, P2_VARS));
        assertEquals(List.of(), t.validate(Map.of(P2, P2_VARS)));
        assertEquals("tenants/t7/orders", t.resolvePath(db("/data/tenants/t7/databases/orders.db", P2,
                "tenant", "t7", "database", "orders")));
    }

    @Test
    void bind_designExampleThree_firstPatternBindsDatabaseToTheTopDirectoryAndWarnsAboutTheFileName() {
        ReplicaTemplate t = template("{{project}}/{{branch}}/{{database}}");
        assertEquals(Map.of("project", "project", "branch", "branch", "database", "#1"), t.bindings(P3A, P3A_VARS));
        List<String> warnings = t.validate(Map.of(P3A, P3A_VARS));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("pattern '" + P3A + "': variable 'db' is not used by "
                + "/etc/l.yml: multi-db.replica-template.path (line 5)"), warnings.get(0));
    }

    @Test
    void validate_designExampleThree_secondPatternCannotResolveProject() {
        ReplicaTemplate t = template("{{project}}/{{branch}}/{{database}}");
        Map<String, List<String>> both = new LinkedHashMap<>();
        both.put(P3A, P3A_VARS);
        both.put(P3B, P3B_VARS);
        String m = assertThrows(ConfigException.class, () -> t.validate(both)).getMessage();
        assertEquals("/etc/l.yml: multi-db.replica-template.path (line 5): placeholder {{project}} cannot be "
                + "resolved for pattern '/var/lib/apps/*/data/*.db': it has no capture named 'project', no directory "
                + "named after 'project' before a wildcard, and no wildcard left for it by position (its variables: "
                + "app, data)", m);
    }

    @Test
    void bind_namedCapture_winsOverPosition() {
        ReplicaTemplate t = template("{{region}}/{{project}}/{{tenant}}");
        String pattern = "/data/{project}/*/tenants/*.db";
        assertEquals(Map.of("region", "#1", "project", "project", "tenant", "tenant"),
                t.bindings(pattern, List.of("project", "#1", "tenant")));
    }

    @Test
    void bind_positionalWildcards_areConsumedInTemplateOrder() {
        ReplicaTemplate t = template("{{b}}/{{a}}/{{b}}");
        assertEquals(Map.of("b", "#1", "a", "#2"), t.bindings("/x/*/*/*.db", List.of("#1", "#2", "#3")));
        assertEquals("one/two/one", t.resolvePath(db("/x/one/two/three.db", "/x/*/*/*.db",
                "#1", "one", "#2", "two", "#3", "three")));
    }

    @Test
    void resolve_withoutValidate_bindsFromTheDatabasesOwnVariables() {
        ReplicaTemplate t = template("{{project}}/{{database}}");
        assertEquals("p/d", t.resolvePath(db("/data/p/databases/d.db", "/data/*/databases/*.db",
                "database", "d", "#1", "p")));
    }

    @Test
    void resolve_unsafeValues_areRefusedNamingDatabasePlaceholderAndValue() {
        ReplicaTemplate t = template("x/{{database}}");
        String pattern = "/data/**/databases/*.db";
        for (String bad : List.of("", ".", "..", "a/../b", "a//b", "/a", "a/", "new\nline")) {
            String m = assertThrows(ConfigException.class, () -> t.resolvePath(db("/data/databases/z.db", pattern,
                    "database", bad))).getMessage();
            assertTrue(m.contains("database /data/databases/z.db (pattern '" + pattern + "') is not replicated: "
                    + "placeholder {{database}} (variable 'database')"), m);
        }
        assertEquals("x/a/b/.hidden", t.resolvePath(db("/data/a/b/databases/.hidden.db", pattern,
                "database", "a/b/.hidden")));
    }

    @Test
    void parse_placeholderOutsidePath_isRejected() {
        Settings section = Settings.of("/etc/l.yml: multi-db.replica-template",
                Map.of("type", "s3", "bucket", "b-{{tenant}}", "path", "{{tenant}}"));
        String m = assertThrows(ConfigException.class,
                () -> ReplicaTemplate.parse(section, new Settings("/etc/l.yml", Map.of()))).getMessage();
        assertTrue(m.contains("key 'bucket' holds a placeholder, got 'b-{{tenant}}'; placeholders are allowed only "
                + "in 'path'"), m);
    }

    @Test
    void parse_templateWithoutPlaceholders_orMalformedOnes_isRejected() {
        assertTrue(assertThrows(ConfigException.class, () -> template("backups/all")).getMessage()
                .contains("multi-db.replica-template.path (line 5) has no {{placeholder}}"));
        assertTrue(assertThrows(ConfigException.class, () -> template("{{project}/{{db}}")).getMessage()
                .contains("malformed placeholder"));
        assertTrue(assertThrows(ConfigException.class, () -> template("{{1}}")).getMessage()
                .contains("malformed placeholder"));
    }

    @Test
    void resolve_manyDatabases_isCheap() {
        ReplicaTemplate t = template("{{project}}/{{database}}/{{branch}}/{{tenant}}");
        t.validate(Map.of(P1, P1_VARS));
        DiscoveredDatabase d = db("/data/acme/databases/crm/branches/main/tenants/t42.db", P1,
                "#1", "acme", "database", "crm", "branch", "main", "tenant", "t42");
        long chars = 0;
        for (int i = 0; i < 100_000; i++) {
            chars += t.resolve(d).backend().string("path").orElseThrow().length();
        }
        assertEquals(100_000L * "acme/crm/main/t42".length(), chars);
    }
}
