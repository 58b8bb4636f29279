package io.litefleet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Litefleet.Builder#start()} refuses before anything runs. */
class StartChecksTest {
    @TempDir
    Path dir;

    @Test
    void aTypoInAReplicaTemplate_stopsTheStart_beforeAnyDatabaseIsFound() throws Exception {
        Path config = dir.resolve("fleet.yml");
        Files.writeString(config, """
                state-dir: %s
                multi-db:
                  enabled: true
                  patterns: ["%s/*.db"]
                  replica-template:
                    type: file
                    path: "%s/{{x}}"
                    pth: typo
                """.formatted(dir.resolve("state"), dir.resolve("none"), dir.resolve("replicas")));
        String m = assertThrows(ConfigException.class, () -> Litefleet.builder().config(config).manual().start())
                .getMessage();
        assertEquals(config + ": multi-db.replica-template: unknown key 'pth' (line 8) for a file replica (accepted "
                + "keys: auto-recover, max-sync-ltx-files, name, path, root, sync-interval, type, url)", m);
        assertFalse(Files.exists(dir.resolve("replicas")), "nothing was replicated");
    }
}
