package io.litefleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.YamlLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FleetWiringTest {
    private static LitefleetConfig config(int maxHot) {
        return parse("""
                multi-db:
                  patterns: ["/data/*/tenants/*.db"]
                  max-hot-databases: %d
                  replica-template: {type: file, path: "/backups/{{site}}/{{tenant}}"}
                """.formatted(maxHot));
    }

    private static LitefleetConfig parse(String yaml) {
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

    @Test
    void syncWorkers_localDirectoriesOnly_fourPerCore() {
        LitefleetConfig local = parse("""
                dbs:
                  - path: /data/app.db
                    replica: {type: file, path: /backups/app}
                multi-db:
                  patterns: ["/data/*/tenants/*.db"]
                  replica-template: {type: file, path: "/backups/{{site}}/{{tenant}}"}
                """);
        assertFalse(FleetWiring.networked(local.dbs(), local.fleet()));
        assertEquals(Math.max(4, 4 * Runtime.getRuntime().availableProcessors()), FleetWiring.syncWorkers(false));
    }

    @Test
    void syncWorkers_aNetworkDestination_atLeastSixteen() {
        // One S3 destination anywhere (a listed database's second replica) is enough: captures wait on its latency.
        LitefleetConfig s3 = parse("""
                dbs:
                  - path: /data/app.db
                    replicas:
                      - {type: file, path: /backups/app}
                      - {url: "s3://bucket/app"}
                """);
        assertTrue(FleetWiring.networked(s3.dbs(), s3.fleet()));
        LitefleetConfig fleet = parse("""
                multi-db:
                  patterns: ["/data/*/tenants/*.db"]
                  replica-template: {type: s3, bucket: b, path: "{{site}}/{{tenant}}"}
                """);
        assertTrue(FleetWiring.networked(fleet.dbs(), fleet.fleet()));
        assertTrue(FleetWiring.syncWorkers(true) >= 16);
    }
}
