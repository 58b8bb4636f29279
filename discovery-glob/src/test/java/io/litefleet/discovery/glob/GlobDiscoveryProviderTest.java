package io.litefleet.discovery.glob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.discovery.Discovery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GlobDiscoveryProviderTest {
    private static final String ORIGIN = "litefleet.yml: discovery";

    private static ConfigException refused(Map<String, ?> values) {
        return assertThrows(ConfigException.class,
                () -> new GlobDiscoveryProvider().create(Settings.of(ORIGIN, values)));
    }

    @Test
    void type_isGlob() {
        assertEquals("glob", new GlobDiscoveryProvider().type());
    }

    @Test
    void create_withPatterns_givesADiscoveryWithTheirVariableNames() {
        try (Discovery d = new GlobDiscoveryProvider().create(Settings.of(ORIGIN,
                Map.of("patterns", List.of("/data/*/databases/*/branches/*/tenants/*.db", "/srv/{app}.db"))))) {
            assertInstanceOf(GlobDiscovery.class, d);
            assertEquals(Map.of("/data/*/databases/*/branches/*/tenants/*.db", List.of("#1", "database", "branch", "tenant"),
                    "/srv/{app}.db", List.of("app")), d.variableNames());
        }
    }

    @Test
    void create_acceptsASinglePatternString() {
        try (Discovery d = new GlobDiscoveryProvider().create(Settings.of(ORIGIN, Map.of("patterns", "/x/*.db")))) {
            assertEquals(List.of("/x/*.db"), List.copyOf(d.variableNames().keySet()));
        }
    }

    @Test
    void create_withoutPatterns_namesTheOriginAndTheKey() {
        assertEquals(ORIGIN + ": missing required key 'patterns' (a list of absolute glob patterns such as "
                + "/data/*/tenants/*.db)", refused(Map.of()).getMessage());
        assertEquals(ORIGIN + ": key 'patterns' must list at least one pattern",
                refused(Map.of("patterns", List.of())).getMessage());
    }

    @Test
    void create_withAnInvalidPattern_namesOriginKeyPatternAndWhatIsWrong() {
        Settings s = new Settings(ORIGIN, Map.of("patterns", List.of("/ok/*.db", "data/*.db")), Map.of("patterns", 7));
        ConfigException e = assertThrows(ConfigException.class, () -> new GlobDiscoveryProvider().create(s));
        assertEquals(ORIGIN + ": key 'patterns' (line 7): invalid pattern 'data/*.db': must be absolute (start with '/')",
                e.getMessage());
    }

    @Test
    void create_withARepeatedNamedCapture_saysSo() {
        assertEquals(ORIGIN + ": key 'patterns': invalid pattern '/d/{t}/{t}.db': named capture {t} is used twice",
                refused(Map.of("patterns", List.of("/d/{t}/{t}.db"))).getMessage());
    }

    @Test
    void create_withAPatternListedTwice_saysSo() {
        assertEquals(ORIGIN + ": key 'patterns': pattern '/d/*.db' is listed twice",
                refused(Map.of("patterns", List.of("/d/*.db", "/d/*.db"))).getMessage());
    }

    @Test
    void create_withPatternsNotAList_reportsTheSettingsError() {
        ConfigException e = refused(Map.of("patterns", Map.of("a", "b")));
        assertEquals(ORIGIN + ": key 'patterns' must be a list of strings, got a section", e.getMessage());
    }
}
