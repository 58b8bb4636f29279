package io.litefleet.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.YamlLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FleetWiringTest {
    private static LitefleetConfig config(int maxHot) {
        String yaml = """
                multi-db:
                  patterns: ["/data/*/tenants/*.db"]
                  max-hot-databases: %d
                  replica-template: {type: file, path: "/backups/{{site}}/{{tenant}}"}
                """.formatted(maxHot);
        Path f = Path.of("/etc/litefleet.yml");
        return LitefleetConfig.parse(f, YamlLoader.withEnvironment(k -> null).parse(f.toString(), yaml));
    }

    @Test
    void descriptorBudget_hotCapBeyondTheProcessLimit_isRefusedNamingKeyAndNumbers() {
        long limit = FleetWiring.maxDescriptors();
        assertTrue(limit > 0, "this JVM reports its descriptor limit");
        int tooMany = (int) Math.min(Integer.MAX_VALUE, limit); // 3 descriptors each cannot fit
        ConfigException e = assertThrows(ConfigException.class,
                () -> FleetWiring.checkDescriptorBudget(config(tooMany).fleet().orElseThrow(), 4));
        assertTrue(e.getMessage().contains("max-hot-databases: " + tooMany) && e.getMessage().contains("ulimit -n")
                && e.getMessage().contains(Long.toString(limit)), e.getMessage());
    }

    @Test
    void descriptorBudget_defaultCap_fitsTheLimitHere() {
        FleetWiring.checkDescriptorBudget(config(50).fleet().orElseThrow(), 4);
    }
}
