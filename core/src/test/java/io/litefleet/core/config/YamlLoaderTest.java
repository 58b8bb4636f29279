package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class YamlLoaderTest {
    private final YamlLoader loader = YamlLoader.withEnvironment(Map.of("BUCKET", "b1", "HOME", "/root")::get);

    @Test
    void parse_nestedSections_keepLinesAndOrigins() {
        Settings s = loader.parse("l.yml", """
                dbs:
                  - path: /data/a.db
                    replica:
                      type: file
                      path: /backups/a
                      bogus: 1
                """);
        Settings db = s.sections("dbs").get(0);
        assertEquals("/data/a.db", db.requireString("path"));
        Settings replica = db.section("replica").orElseThrow();
        assertEquals("l.yml: dbs[0].replica", replica.origin());
        ConfigException e = assertThrows(ConfigException.class,
                () -> replica.rejectUnknownKeys(Set.of("type", "path")));
        assertEquals("l.yml: dbs[0].replica: unknown key 'bogus' (line 6) (known keys: path, type)", e.getMessage());
    }

    @Test
    void parse_envVariables_areExpanded() {
        Settings s = loader.parse("l.yml", "bucket: ${BUCKET}\npath: $HOME/x\nliteral: a-$-b\n");
        assertEquals("b1", s.requireString("bucket"));
        assertEquals("/root/x", s.requireString("path"));
        assertEquals("a-$-b", s.requireString("literal"));
    }

    @Test
    void parse_unsetEnvVariable_isAnErrorNamingLineAndVariable() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("l.yml", "a: 1\nb: ${NOPE}\n"));
        assertEquals("l.yml:2: environment variable $NOPE is not set", e.getMessage());
    }

    @Test
    void parse_duplicateKey_isAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("l.yml", "a: 1\na: 2\n"));
        assertEquals("l.yml:2: duplicate key 'a' (first on line 1)", e.getMessage());
    }

    @Test
    void parse_brokenYaml_namesTheLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.parse("l.yml", "dbs:\n  - path: a\n    replica: [\n"));
        assertTrue(e.getMessage().matches("l\\.yml:\\d+: invalid YAML: .*"), e.getMessage());
    }

    @Test
    void parse_topLevelList_isRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("l.yml", "- a\n- b\n"));
        assertEquals("l.yml:1: the top level must be a mapping of keys", e.getMessage());
    }

    @Test
    void parse_emptyFileAndNullValues_areEmpty() {
        assertTrue(loader.parse("l.yml", "").keys().isEmpty());
        Settings s = loader.parse("l.yml", "a: ~\nb: null\nc:\nd: [x, ~]\n");
        assertEquals(Set.of("d"), s.keys());
        assertEquals(List.of("x"), s.strings("d"));
    }

    @Test
    void load_missingFile_namesIt(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path f = dir.resolve("nope.yml");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(f));
        assertEquals(f + ": config file not found", e.getMessage());
    }

    @Test
    void settings_wrongShapes_nameKeyAndLine() {
        Settings s = loader.parse("l.yml", "dbs: x\ninterval: soon\n");
        ConfigException e1 = assertThrows(ConfigException.class, () -> s.sections("dbs"));
        assertEquals("l.yml: key 'dbs' (line 1) must be a list of sections, got 'x'", e1.getMessage());
        ConfigException e2 = assertThrows(ConfigException.class, () -> s.duration("interval", null));
        assertTrue(e2.getMessage().startsWith("l.yml: key 'interval' (line 2) must be a duration"), e2.getMessage());
    }
}
