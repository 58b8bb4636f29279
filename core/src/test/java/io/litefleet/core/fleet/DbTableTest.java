package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.FileFingerprint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DbTableTest {
    private static Path pathOf(int i) {
        // Names of varying length (and some non-ASCII) so block offsets and lengths are exercised.
        String name = "t" + i + (i % 5 == 0 ? "-é" : "") + "x".repeat(i % 11) + ".db";
        return Path.of("/data/p" + (i % 7) + "/databases/d" + (i % 13) + "/tenants/" + name);
    }

    @Test
    void add_manyPaths_eachIsFoundAndRebuilt_beforeAndAfterTrim() {
        DbTable t = new DbTable();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            assertEquals(-1, t.find(pathOf(i)));
            assertEquals(i, t.add(pathOf(i), i % 2, new FileFingerprint(i, i, 0, 0)));
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                assertEquals(i, t.find(pathOf(i)));
                assertEquals(pathOf(i), t.path(i));
                assertEquals(i % 2, t.pattern(i));
            }
            t.trim();
        }
        assertEquals(-1, t.find(Path.of("/data/p0/databases/d0/tenants/nope.db")));
        assertEquals(-1, t.find(Path.of("/elsewhere/t0-é.db")));
        assertEquals(7 * 13, t.directories());
        // Rows keep being added after a trim.
        int id = t.add(Path.of("/data/new.db"), 0, FileFingerprint.ABSENT);
        assertEquals(n, id);
        assertEquals(id, t.find(Path.of("/data/new.db")));
    }

    @Test
    void add_nameLongerThan255Bytes_isRefusedNamingThePath() {
        DbTable t = new DbTable();
        Path p = Path.of("/a/" + "n".repeat(256));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.add(p, 0, FileFingerprint.ABSENT));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertEquals(0, t.size());
    }

    @Test
    void count_followsStateChanges() {
        DbTable t = new DbTable();
        for (int i = 0; i < 10; i++) {
            t.add(Path.of("/a/" + i + ".db"), 0, FileFingerprint.ABSENT);
        }
        t.state(3, DbTable.HOT);
        t.state(4, DbTable.DELETED);
        t.state(4, DbTable.COLD);
        t.state(5, DbTable.REFUSED);
        assertEquals(8, t.count(DbTable.COLD));
        assertEquals(1, t.count(DbTable.HOT));
        assertEquals(0, t.count(DbTable.DELETED));
        assertEquals(1, t.count(DbTable.REFUSED));
    }

    @Test
    void observe_countsOnlyRealChanges() {
        DbTable t = new DbTable();
        int id = t.add(Path.of("/a/b.db"), 0, new FileFingerprint(1, 2, 3, 4));
        assertFalse(t.observe(id, new FileFingerprint(1, 2, 3, 4)));
        assertEquals(0, t.changes(id));
        assertTrue(t.observe(id, new FileFingerprint(1, 2, 3, 5)));
        assertEquals(1, t.changes(id));
        assertTrue(t.sameFingerprint(id, new FileFingerprint(1, 2, 3, 5)));
    }
}
