package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.Litefleet;
import io.litefleet.core.control.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code -json}/{@code --json} on the commands whose output is data and that had none: version and plugins. */
class JsonOutputTest {
    @Test
    void version_json_isOneObject_withTheVersion() {
        for (String flag : List.of("-json", "--json")) {
            CliRun r = CliRun.of("version", flag);
            assertEquals(0, r.code(), r.err());
            Map<String, Object> m = Json.parseObject(r.out());
            assertEquals(Litefleet.version(), m.get("version"));
            assertTrue(m.keySet().containsAll(List.of("java", "java_home", "format", "os", "arch")), m.toString());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void plugins_json_listsTheBuiltInProviders() {
        CliRun r = CliRun.of("plugins", "--json");
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> plugins = (List<Map<String, Object>>) Json.parseObject(r.out()).get("plugins");
        assertTrue(plugins.stream().anyMatch(p -> "file".equals(p.get("type"))
                && String.valueOf(p.get("class")).endsWith("FileReplicaClientProvider")), r.out());
        assertTrue(plugins.stream().allMatch(p -> p.keySet().equals(java.util.Set.of("kind", "type", "class",
                "origin"))), r.out());
    }
}
