package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.FileFingerprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
    void commonSuffixes_areCodes_yetEveryNameStaysDistinctAndRoundTrips() {
        DbTable t = new DbTable();
        List<String> names = List.of("a", "a.db", "a.sqlite", "a.sqlite3", "a.DB", ".db", ".sqlite3", "a.db.db",
                "a.sqlite3.db", "b.sqlite4", "x".repeat(252) + ".db");
        for (String n : names) {
            Path p = Path.of("/d", n);
            assertEquals(-1, t.find(p), n);
            int id = t.add(p, 0, FileFingerprint.ABSENT);
            t.store(id, RowState.HOT);
            assertEquals(RowState.HOT, t.state(id), "the state survives next to the suffix code");
        }
        t.trim();
        for (int i = 0; i < names.size(); i++) {
            Path p = Path.of("/d", names.get(i));
            assertEquals(i, t.find(p), names.get(i));
            assertEquals(p, t.path(i));
        }
        assertEquals(names.size(), t.count(RowState.HOT));
    }

    @Test
    void count_followsStateChanges() {
        DbTable t = new DbTable();
        for (int i = 0; i < 10; i++) {
            t.add(Path.of("/a/" + i + ".db"), 0, FileFingerprint.ABSENT);
        }
        t.store(3, RowState.HOT);
        t.store(4, RowState.DELETED);
        t.store(4, RowState.COLD);
        t.store(5, RowState.REFUSED);
        assertEquals(8, t.count(RowState.COLD));
        assertEquals(1, t.count(RowState.HOT));
        assertEquals(0, t.count(RowState.DELETED));
        assertEquals(1, t.count(RowState.REFUSED));
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

    @Test
    void randomNamesUpTo255Bytes_trimsAtAndOffBlockBoundaries_filesAtTheRoot_allFoundAndRebuilt() {
        Random r = new Random(7);
        DbTable t = new DbTable();
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            int len = 1 + r.nextInt(i % 3 == 0 ? 255 : 40);
            StringBuilder sb = new StringBuilder();
            while (sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < len - 2) {
                sb.append(r.nextInt(10) == 0 ? 'é' : (char) ('a' + r.nextInt(26)));
            }
            String name = i + sb.toString();
            while (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                name = name.substring(0, name.length() - 1);
            }
            Path p = i % 10 == 0 ? Path.of("/" + name) : Path.of("/d" + (i % 3), name);
            paths.add(p);
            assertEquals(i, t.add(p, 0, FileFingerprint.ABSENT));
            if (r.nextInt(50) == 0 || i % 64 == 63 || i % 64 == 0) {
                t.trim();
            }
            if (i % 97 == 0) {
                for (int k = 0; k <= i; k++) {
                    assertEquals(k, t.find(paths.get(k)), paths.get(k).toString());
                    assertEquals(paths.get(k), t.path(k));
                }
            }
        }
        for (int k = 0; k < paths.size(); k++) {
            assertEquals(k, t.find(paths.get(k)));
            assertEquals(paths.get(k), t.path(k));
        }
        assertEquals(-1, t.find(Path.of("/")));
    }

    @Test
    void token_isZeroUntilSet_survivesGrowthAndTrim_andClearsAtOnce() {
        DbTable t = new DbTable();
        FileFingerprint fp = new FileFingerprint(4096, 1, 0, 0);
        for (int i = 0; i < 10; i++) {
            t.add(Path.of("/data/t" + i + ".db"), 0, fp);
        }
        t.token(3, 0); // a zero token allocates nothing and changes nothing
        assertEquals(0, t.token(3));
        t.token(7, 42);
        for (int i = 10; i < 100; i++) {
            t.add(Path.of("/data/t" + i + ".db"), 0, fp);
        }
        t.token(99, 43);
        t.trim();
        assertEquals(42, t.token(7));
        assertEquals(43, t.token(99));
        assertEquals(0, t.token(8));
        t.clearTokens();
        assertEquals(0, t.token(7));
        assertEquals(0, t.token(99));
    }
}
