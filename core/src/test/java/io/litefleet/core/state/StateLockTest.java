package io.litefleet.core.state;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several dbs: replicators share a state directory; one database is shipped by one; fleet mode runs alone. */
class StateLockTest {
    @TempDir
    Path dir;

    @Test
    void differentDatabases_share_sameDatabase_refused_fleetAlone() throws IOException {
        Path a = Path.of("/data/a.db");
        Path b = Path.of("/data/b.db");
        Path c = Path.of("/data/c.db");
        try (StateLock la = StateLock.acquire(dir, List.of(a), false);
             StateLock lb = StateLock.acquire(dir, List.of(b), false)) {
            String same = assertThrows(IOException.class, () -> StateLock.acquire(dir, List.of(c, a), false))
                    .getMessage();
            assertTrue(same.startsWith("/data/a.db: another litefleet replicate in this process is replicating"),
                    same);
            String fleet = assertThrows(IOException.class, () -> StateLock.acquire(dir)).getMessage();
            assertTrue(fleet.contains("another litefleet replicate in this process is using this state directory"),
                    fleet);
        }
        // The refused attempt released what it took (c), then the directory for fleet mode.
        try (StateLock lc = StateLock.acquire(dir, List.of(c), false)) {
            assertTrue(lc != null);
        }
        try (StateLock fleet = StateLock.acquire(dir)) {
            String dbs = assertThrows(IOException.class, () -> StateLock.acquire(dir, List.of(a), false))
                    .getMessage();
            assertTrue(dbs.contains("in fleet mode, which needs it alone"), dbs);
        }
        try (StateLock again = StateLock.acquire(dir, List.of(a, b), false)) {
            assertTrue(again != null);
        }
    }
}
