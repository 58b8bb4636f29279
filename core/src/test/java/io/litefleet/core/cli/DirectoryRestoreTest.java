package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.api.Settings;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.config.DirectoryConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.YamlLoader;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.testkit.InMemoryReplicaClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which databases of a directory entry a replica holds, found by listing it in each backend layout. */
class DirectoryRestoreTest {
    private static final List<String> KEYS_LTX = List.of("base/a.db/ltx/0/0000000000000001-0000000000000001.ltx",
            "base/a.db/ltx/1/0000000000000001-0000000000000004.ltx", "base/b.sqlite/ltx/0/0000000000000001-"
                    + "0000000000000001.ltx", "base/sub/c.db/ltx/0/0000000000000001-0000000000000001.ltx",
            "base/notes.db/readme.txt", "other/x.db/ltx/0/0000000000000001-0000000000000001.ltx");

    private static DirectoryConfig entry(boolean recursive) {
        return LitefleetConfig.parse(Path.of("/etc/l.yml"), YamlLoader.withEnvironment(Map.<String, String>of()::get)
                .parse("/etc/l.yml", "dbs:\n  - dir: /data\n    pattern: '*.db'\n    recursive: " + recursive
                        + "\n    replica: {type: s3, bucket: b, path: base}\n")).fleet().orElseThrow()
                .directories().get(0);
    }

    private static List<String> found(ReplicaLayout layout, List<String> keys, boolean recursive) throws Exception {
        InMemoryReplicaClient client = InMemoryReplicaClient.create(Clock.systemUTC());
        for (String k : keys) {
            client.put(k, ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        }
        DirectoryConfig entry = entry(recursive);
        try (PluginRegistry registry = PluginRegistry.open(Optional.empty());
             Discovery names = registry.discovery("glob", "t").create(Settings.of("t",
                     Map.of("patterns", List.of(entry.glob()))))) {
            return DirectoryRestore.databases(new ReplicaTarget(client, layout, "base"), entry, names);
        }
    }

    @Test
    void ltxDirs_patternAndRecursion_decide() throws Exception {
        assertEquals(List.of("a.db", "sub/c.db"), found(ReplicaLayout.LTX_DIRS, KEYS_LTX, true));
        assertEquals(List.of("a.db"), found(ReplicaLayout.LTX_DIRS, KEYS_LTX, false));
    }

    @Test
    void hexLevelDirs_asOnS3() throws Exception {
        List<String> keys = KEYS_LTX.stream().map(k -> k.replace("/ltx/0/", "/0000/").replace("/ltx/1/", "/0001/"))
                .toList();
        assertEquals(List.of("a.db", "sub/c.db"), found(ReplicaLayout.HEX_LEVEL_DIRS, keys, true));
    }
}
