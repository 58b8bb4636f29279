package io.litefleet.discovery.glob;

import static io.litefleet.discovery.glob.Databases.create;
import static io.litefleet.discovery.glob.Databases.createOther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.testkit.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobScanTest {
    @TempDir
    Path root;

    private GlobDiscovery discovery(String... patterns) {
        return discovery(dir -> { }, patterns);
    }

    private GlobDiscovery discovery(java.util.function.Consumer<Path> visited, String... patterns) {
        List<GlobPattern> parsed = new ArrayList<>();
        for (String p : patterns) {
            parsed.add(GlobPattern.parse(root + p));
        }
        return new GlobDiscovery(parsed, visited, WatchSupport.DEFAULT);
    }

    private static Map<Path, DiscoveredDatabase> scan(GlobDiscovery d) {
        Map<Path, DiscoveredDatabase> found = new HashMap<>();
        d.scan(db -> {
            DiscoveredDatabase previous = found.put(db.path(), db);
            assertNull(previous, "reported twice: " + db.path());
        });
        return found;
    }

    @Test
    void scan_findsTheFleetLayoutWithItsVariables() {
        Path db = create(root.resolve("data/acme/databases/main/branches/dev/tenants/t1.db"));
        create(root.resolve("data/acme/databases/main/branches/dev/tenants/t2.db"));
        createOther(root.resolve("data/acme/databases/main/branches/dev/notes.txt"), "no");
        try (GlobDiscovery d = discovery("/data/*/databases/*/branches/*/tenants/*.db")) {
            Map<Path, DiscoveredDatabase> found = scan(d);
            assertEquals(2, found.size());
            DiscoveredDatabase t1 = found.get(db);
            assertEquals(Map.of("#1", "acme", "database", "main", "branch", "dev", "tenant", "t1"), t1.variables());
            assertEquals(root + "/data/*/databases/*/branches/*/tenants/*.db", t1.pattern());
        }
    }

    @Test
    void scan_findsTheDesignsOtherExamplePatterns() {
        create(root.resolve("data/tenants/t7/databases/orders.db"));
        create(root.resolve("data/co/projects/web/branches/main/db/app.sqlite"));
        create(root.resolve("var/lib/apps/blog/data/posts.db"));
        try (GlobDiscovery d = discovery("/data/tenants/*/databases/*.db",
                "/data/*/projects/*/branches/*/db/*.sqlite", "/var/lib/apps/*/data/*.db")) {
            Map<Path, DiscoveredDatabase> found = scan(d);
            assertEquals(Map.of("tenant", "t7", "database", "orders"),
                    found.get(root.resolve("data/tenants/t7/databases/orders.db")).variables());
            assertEquals(Map.of("#1", "co", "project", "web", "branch", "main", "#4", "app"),
                    found.get(root.resolve("data/co/projects/web/branches/main/db/app.sqlite")).variables());
            assertEquals(Map.of("app", "blog", "#2", "posts"),
                    found.get(root.resolve("var/lib/apps/blog/data/posts.db")).variables());
            assertEquals(3, found.size());
        }
    }

    @Test
    void scan_bindsNamedCapturesForWholeAndPartialSegments() {
        create(root.resolve("data/acme/tenant-42.db"));
        create(root.resolve("data/acme/other-1.db"));
        try (GlobDiscovery d = discovery("/data/{org}/tenant-{tenant}.db")) {
            Map<Path, DiscoveredDatabase> found = scan(d);
            assertEquals(Set.of(root.resolve("data/acme/tenant-42.db")), found.keySet());
            assertEquals(Map.of("org", "acme", "tenant", "42"), found.values().iterator().next().variables());
        }
    }

    @Test
    void scan_descendsAnyNumberOfDirectoriesBelowDoubleStar() {
        create(root.resolve("data/tenants/a.db"));
        create(root.resolve("data/x/tenants/b.db"));
        create(root.resolve("data/x/y/z/tenants/c.db"));
        create(root.resolve("data/x/y/z/elsewhere/d.db"));
        try (GlobDiscovery d = discovery("/data/**/tenants/*.db")) {
            Map<Path, DiscoveredDatabase> found = scan(d);
            assertEquals(Set.of(root.resolve("data/tenants/a.db"), root.resolve("data/x/tenants/b.db"),
                    root.resolve("data/x/y/z/tenants/c.db")), found.keySet());
            assertEquals(Map.of("tenant", "c"), found.get(root.resolve("data/x/y/z/tenants/c.db")).variables());
        }
    }

    @Test
    void scan_reportsADatabaseMatchedByOverlappingPatternsOnceForTheFirstPattern() {
        Path both = create(root.resolve("data/tenants/t1/main.db"));
        Path second = create(root.resolve("data/tenants/t1/other.db"));
        try (GlobDiscovery d = discovery("/data/tenants/*/main.db", "/data/**/*.db")) {
            Map<Path, DiscoveredDatabase> found = scan(d);
            assertEquals(Set.of(both, second), found.keySet());
            assertEquals(root + "/data/tenants/*/main.db", found.get(both).pattern());
            assertEquals(Map.of("tenant", "t1"), found.get(both).variables());
            assertEquals(root + "/data/**/*.db", found.get(second).pattern());
        }
    }

    @Test
    void scan_skipsFilesThatAreNotSqliteDatabases() throws IOException {
        Path db = create(root.resolve("data/t/good.db"));
        createOther(root.resolve("data/t/text.db"), "this is not a database at all");
        createOther(root.resolve("data/t/short.db"), "SQLite format");
        createOther(root.resolve("data/t/empty.db"), "");
        Files.createDirectories(root.resolve("data/t/directory.db"));
        Files.write(root.resolve("data/t/good.db-wal"), Databases.HEADER); // a -wal is never a candidate itself
        Files.write(root.resolve("data/t/good.db-journal"), Databases.HEADER);
        try (GlobDiscovery d = discovery("/data/t/*")) {
            assertEquals(Set.of(db), scan(d).keySet());
        }
    }

    @Test
    void scan_doesNotFollowSymlinksBelowTheLiteralPrefix() throws IOException {
        Path real = create(root.resolve("data/tenants/real/x.db"));
        Files.createSymbolicLink(root.resolve("data/tenants/linked"), root.resolve("data/tenants/real"));
        Files.createSymbolicLink(root.resolve("data/tenants/real/alias.db"), real);
        try (GlobDiscovery d = discovery("/data/tenants/*/*.db")) {
            assertEquals(Set.of(real), scan(d).keySet());
        }
    }

    @Test
    void symlinkedDatabaseFiles_areNotReported_andEachIsLoggedOnceWithWhereItPoints() throws IOException {
        Path real = create(root.resolve("data/tenants/real.db"));
        Path outside = create(root.resolve("elsewhere/other.db"));
        Path toOwn = root.resolve("data/tenants/alias.db");
        Path toOutside = root.resolve("data/tenants/linked.db");
        Files.createSymbolicLink(toOwn, real);
        Files.createSymbolicLink(toOutside, outside);
        try (GlobDiscovery d = discovery("/data/tenants/*.db");
             LogCapture log = LogCapture.open(GlobDiscovery.class.getName())) {
            assertEquals(Set.of(real), scan(d).keySet());
            assertEquals(Set.of(real), scan(d).keySet());
            assertNull(d.probe(toOutside), "a watch event on the link finds nothing either");
            assertEquals(1, log.count(toOwn + " is a symlink to " + real + ", which pattern"), log.lines().toString());
            assertEquals(1, log.count("WARNING " + toOutside + " is a symlink to " + outside + ": NOT REPLICATED"),
                    log.lines().toString());
            assertEquals(2, log.lines().size(), "one line per link, however often it is met: " + log.lines());
        }
    }

    @Test
    void scan_fingerprintsTheDatabaseAndItsWal() throws IOException {
        Path db = create(root.resolve("data/t/a.db"));
        Files.setLastModifiedTime(db, FileTime.from(Instant.parse("2024-01-02T03:04:05.123456789Z")));
        try (GlobDiscovery d = discovery("/data/t/*.db")) {
            FileFingerprint before = scan(d).get(db).fingerprint();
            assertEquals(new FileFingerprint(100, Instant.parse("2024-01-02T03:04:05.123456789Z").getEpochSecond()
                    * 1_000_000_000L + 123_456_789L, 0, 0), before);

            Path wal = root.resolve("data/t/a.db-wal");
            Files.write(wal, new byte[4096]);
            Files.setLastModifiedTime(wal, FileTime.from(Instant.parse("2024-01-02T03:04:06Z")));
            FileFingerprint withWal = scan(d).get(db).fingerprint();
            assertEquals(4096, withWal.walSize());
            assertEquals(Instant.parse("2024-01-02T03:04:06Z").toEpochMilli() * 1_000_000L, withWal.walMtimeNanos());

            Files.write(wal, new byte[8192]);
            FileFingerprint grown = scan(d).get(db).fingerprint();
            assertNotEquals(withWal, grown);
            assertEquals(8192, grown.walSize());
            assertEquals(before.dbMtimeNanos(), grown.dbMtimeNanos());
        }
    }

    @Test
    void scan_skipsUnreadableDirectoriesAndGoesOn() throws IOException {
        // permissions do not stop root, so this only runs as an ordinary user
        assumeFalse("root".equals(System.getProperty("user.name")), "running as root: permissions are not enforced");
        Path locked = Files.createDirectories(root.resolve("data/a/tenants"));
        create(locked.resolve("x.db"));
        Path open = create(root.resolve("data/b/tenants/y.db"));
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        try (GlobDiscovery d = discovery("/data/*/tenants/*.db")) {
            assertEquals(Set.of(open), scan(d).keySet());
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void scan_ofPatternsWhoseDirectoriesDoNotExist_findsNothing() {
        try (GlobDiscovery d = discovery("/nowhere/*/tenants/*.db", "/nowhere/x.db")) {
            assertTrue(scan(d).isEmpty());
        }
    }

    @Test
    void scan_ofAFullyLiteralPattern_findsThatOneFile() {
        Path db = create(root.resolve("srv/app.db"));
        try (GlobDiscovery d = discovery("/srv/app.db")) {
            Map<Path, DiscoveredDatabase> found = scan(d);
            assertEquals(Set.of(db), found.keySet());
            assertEquals(Map.of(), found.get(db).variables());
        }
    }

    /**
     * 5,000 databases in the fleet layout beside 20,000 files in trees the pattern cannot match: the scan finds
     * exactly the databases and enters exactly the 1,111 directories of the layout, none of the other trees.
     */
    @Test
    void scan_entersOnlyDirectoriesThePatternCanMatch() throws IOException {
        Set<Path> expected = new HashSet<>();
        for (int p = 0; p < 5; p++) {
            for (int d = 0; d < 10; d++) {
                for (int b = 0; b < 10; b++) {
                    Path tenants = Files.createDirectories(
                            root.resolve("data/p" + p + "/databases/d" + d + "/branches/b" + b + "/tenants"));
                    for (int t = 0; t < 10; t++) {
                        Path db = tenants.resolve("t" + t + ".db");
                        Files.write(db, Databases.HEADER);
                        expected.add(db);
                    }
                }
            }
        }
        Path archive = root.resolve("data/p0/archive");   // a sibling of "databases"
        Path outside = root.resolve("other");               // beside "data"
        for (int dir = 0; dir < 200; dir++) {
            Path a = Files.createDirectories(archive.resolve("databases/d" + dir + "/branches/b/tenants"));
            Path o = Files.createDirectories(outside.resolve("dir" + dir));
            for (int f = 0; f < 50; f++) {
                Files.write(a.resolve("t" + f + ".db"), Databases.HEADER);
                Files.write(o.resolve("t" + f + ".db"), Databases.HEADER);
            }
        }
        List<Path> visited = new ArrayList<>();
        try (GlobDiscovery d = discovery(visited::add, "/data/*/databases/*/branches/*/tenants/*.db")) {
            Map<Path, DiscoveredDatabase> found = scan(d);
            assertEquals(expected, found.keySet());
        }
        assertTrue(visited.stream().noneMatch(dir -> dir.startsWith(archive) || dir.startsWith(outside)),
                () -> "entered " + visited.stream().filter(dir -> dir.startsWith(archive) || dir.startsWith(outside))
                        .limit(5).toList());
        assertEquals(1 + 5 + 5 + 50 + 50 + 500 + 500, visited.size());
        assertEquals(visited.size(), new HashSet<>(visited).size(), "a directory was entered twice");
    }

    @Test
    void probe_returnsTheSameAsScanForAMatchingDatabase() throws IOException {
        Path db = create(root.resolve("data/acme/databases/main/branches/dev/tenants/t1.db"));
        Files.write(root.resolve("data/acme/databases/main/branches/dev/tenants/t1.db-wal"), new byte[32]);
        try (GlobDiscovery d = discovery("/data/*/databases/*/branches/*/tenants/*.db")) {
            DiscoveredDatabase probed = d.probe(db);
            assertNotNull(probed);
            assertEquals(scan(d).get(db), probed);
            assertEquals(32, probed.fingerprint().walSize());
        }
    }

    @Test
    void probe_returnsNullForNonMatchingPathsNonDatabasesAndCompanionFiles() throws IOException {
        Path elsewhere = create(root.resolve("data/acme/databases/main/x.db"));
        Path text = createOther(root.resolve("data/acme/databases/main/branches/dev/tenants/t.db"), "text");
        Path db = create(root.resolve("data/acme/databases/main/branches/dev/tenants/u.db"));
        Path wal = root.resolve("data/acme/databases/main/branches/dev/tenants/u.db-wal");
        Files.write(wal, Databases.HEADER);
        try (GlobDiscovery d = discovery("/data/*/databases/*/branches/*/tenants/*.db")) {
            assertNull(d.probe(elsewhere));
            assertNull(d.probe(text));
            assertNull(d.probe(wal));
            assertNull(d.probe(root.resolve("data/acme/databases/main/branches/dev/tenants/missing.db")));
            assertNotNull(d.probe(db));
            Files.delete(db);
            assertNull(d.probe(db), "a deleted database probes as null");
        }
    }

    @Test
    void probe_attributesOverlappingMatchesToTheFirstPatternLikeScan() throws IOException {
        Path db = create(root.resolve("data/tenants/t1/main.db"));
        try (GlobDiscovery d = discovery("/data/tenants/*/main.db", "/data/**/*.db")) {
            assertEquals(root + "/data/tenants/*/main.db", d.probe(db).pattern());
        }
    }

    @Test
    void variableNames_listEachPatternsNamesInPatternOrder() {
        try (GlobDiscovery d = discovery("/data/*/databases/*/branches/*/tenants/*.db", "/srv/{app}/*.db")) {
            Map<String, List<String>> names = d.variableNames();
            assertEquals(List.of(root + "/data/*/databases/*/branches/*/tenants/*.db", root + "/srv/{app}/*.db"),
                    List.copyOf(names.keySet()));
            assertEquals(List.of("#1", "database", "branch", "tenant"),
                    names.get(root + "/data/*/databases/*/branches/*/tenants/*.db"));
            assertEquals(List.of("app", "#2"), names.get(root + "/srv/{app}/*.db"));
        }
    }

    @Test
    void scan_variablesAgreeWithVariableNames() {
        create(root.resolve("data/a/tenants/b/c-d.db"));
        try (GlobDiscovery d = discovery("/data/*/tenants/{tenant}/*-?.db")) {
            DiscoveredDatabase db = scan(d).values().iterator().next();
            assertEquals(Set.copyOf(d.variableNames().values().iterator().next()), db.variables().keySet());
            assertEquals(Map.of("#1", "a", "tenant", "b", "#3", "c", "#4", "d"), db.variables());
        }
    }
}
