package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.core.Litefleet;
import io.litefleet.core.cluster.SingleNodeCoordinatorProvider;
import io.litefleet.core.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code cluster:} section: core's keys, the provider's keys, and errors naming file, line and key. */
class ClusterConfigTest {
    private static final String FLEET = "multi-db:\n  patterns: [/data/*.db]\n  replica-template: {type: file, path: \"/backups/{{name}}\"}\n";

    private static LitefleetConfig config(String yaml) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(Map.<String, String>of()::get)
                .parse("/etc/l.yml", yaml));
    }

    private static ClusterConfig parse(String yaml) {
        return config(yaml).cluster();
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void absent_isSingleNode_namedAfterTheHost() {
        ClusterConfig c = parse(FLEET);
        assertEquals("none", c.coordinator().type());
        assertFalse(c.clustered());
        assertEquals(Optional.empty(), c.instanceId());
        assertFalse(c.instance().isBlank(), "the host name");
    }

    @Test
    void section_withMultiDb_givesCoreItsKeys_andTheProviderTheRest() {
        ClusterConfig c = parse(FLEET + "cluster:\n  type: ETCD\n  instance-id: host-a\n"
                + "  endpoints: [\"http://127.0.0.1:2379\"]\n  lease-ttl: 10s\n");
        assertTrue(c.clustered());
        assertEquals("etcd", c.coordinator().type());
        assertEquals(Optional.of("host-a"), c.instanceId());
        assertEquals("host-a", c.instance());
        assertEquals(List.of("endpoints", "lease-ttl"), List.copyOf(c.coordinator().settings().keys()));
        assertEquals(List.of("http://127.0.0.1:2379"), c.coordinator().settings().strings("endpoints"));
        assertEquals("/etc/l.yml: cluster", c.coordinator().settings().origin());
        assertEquals(" (line 8)", c.coordinator().settings().at("lease-ttl"), "lines kept for the provider's errors");
    }

    @Test
    void section_withDbs_isParsedTheSame() {
        LitefleetConfig c = config("dbs:\n  - path: /data/a.db\n    replica: {url: file:///backups/a}\n"
                + "cluster: {type: etcd, instance-id: host-b}\n");
        assertEquals(1, c.dbs().size());
        assertEquals("etcd", c.cluster().coordinator().type());
        assertEquals("host-b", c.cluster().instance());
    }

    @Test
    void typeNone_withAnotherKey_isRefused_namingFileLineAndKnownKeys() {
        assertEquals("/etc/l.yml: cluster: unknown key 'endpoints' (line 6) (known keys: instance-id, type)",
                error(FLEET + "cluster:\n  type: none\n  endpoints: [x]\n"));
        assertEquals("/etc/l.yml: cluster: unknown key 'lease-ttl' (line 5) (known keys: instance-id, type)",
                error(FLEET + "cluster:\n  lease-ttl: 10s\n"), "type none is the default");
    }

    @Test
    void unknownType_isRefusedAtTheLookup_listingTheKnownTypes() {
        ClusterConfig c = parse(FLEET + "cluster:\n  type: zookeeper\n");
        try (PluginRegistry registry = PluginRegistry.open(Optional.empty())) {
            assertEquals("unknown cluster type 'zookeeper' in /etc/l.yml: cluster (line 5) (known: none)",
                    assertThrows(ConfigException.class, () -> c.provider(registry)).getMessage());
            assertInstanceOf(SingleNodeCoordinatorProvider.class, parse(FLEET).provider(registry));
        }
    }

    @Test
    void unknownType_failsTheStart_beforeAnythingReplicates(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("litefleet.yml");
        Files.writeString(file, "state-dir: " + dir.resolve("state") + "\ndbs:\n  - path: " + dir.resolve("a.db")
                + "\n    replica: {url: " + dir.resolve("replica").toUri() + "}\ncluster:\n  type: zookeeper\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> Litefleet.builder().config(file).manual().start().close());
        assertEquals("unknown cluster type 'zookeeper' in " + file + ": cluster (line 6) (known: none)",
                e.getMessage());
    }

    @Test
    void badValues_nameTheKey() {
        assertEquals("/etc/l.yml: cluster: key 'instance-id' (line 5) must be 1 to 128 letters, digits, '.', '_' or "
                + "'-', starting with a letter or digit, got 'host a' (set cluster: instance-id: to name this "
                + "instance)", error(FLEET + "cluster:\n  instance-id: host a\n"));
        assertTrue(error(FLEET + "cluster:\n  type: ''\n")
                .startsWith("/etc/l.yml: cluster: key 'type' (line 5) must not be empty"));
        assertTrue(error(FLEET + "cluster: etcd\n").startsWith("/etc/l.yml: key 'cluster' (line 4) must be a section"),
                error(FLEET + "cluster: etcd\n"));
    }
}
