package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.FileFingerprint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DbTableTest {
    @Test
    void add_manyPaths_eachIsFoundAndRebuilt() {
        DbTable t = new DbTable();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Path p = Path.of("/data/p" + (i % 7) + "/databases/d" + (i % 13) + "/tenants/t" + i + ".db");
            assertEquals(-1, t.find(p));
            assertEquals(i, t.add(p, i % 2, new FileFingerprint(i, i, 0, 0), 0));
        }
        for (int i = 0; i < n; i++) {
            Path p = Path.of("/data/p" + (i % 7) + "/databases/d" + (i % 13) + "/tenants/t" + i + ".db");
            assertEquals(i, t.find(p));
            assertEquals(p, t.path(i));
            assertEquals(i % 2, t.pattern(i));
        }
        assertEquals(-1, t.find(Path.of("/data/p0/databases/d0/tenants/nope.db")));
        assertEquals(7 * 13, t.directories());
    }

    @Test
    void observe_countsOnlyRealChanges() {
        DbTable t = new DbTable();
        int id = t.add(Path.of("/a/b.db"), 0, new FileFingerprint(1, 2, 3, 4), 10);
        assertFalse(t.observe(id, new FileFingerprint(1, 2, 3, 4), 20));
        assertEquals(10, t.lastChange(id));
        assertTrue(t.observe(id, new FileFingerprint(1, 2, 3, 5), 30));
        assertEquals(30, t.lastChange(id));
        assertEquals(1, t.changes(id));
        assertTrue(t.sameFingerprint(id, new FileFingerprint(1, 2, 3, 5)));
    }
}
