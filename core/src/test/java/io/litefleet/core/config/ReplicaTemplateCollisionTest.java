package io.litefleet.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CollisionDetector} on resolved replica paths (named to run with the config and template tests). */
class ReplicaTemplateCollisionTest {
    /** The caller's side: database number to path, pattern and replica path. */
    private final List<String[]> rows = new ArrayList<>();
    private final CollisionDetector.Lookup lookup = new CollisionDetector.Lookup() {
        @Override
        public Path path(int index) {
            return Path.of(rows.get(index)[0]);
        }

        @Override
        public String pattern(int index) {
            return rows.get(index)[1];
        }

        @Override
        public String replicaPath(int index) {
            return rows.get(index)[2];
        }
    };
    private final CollisionDetector detector = CollisionDetector.create(lookup);

    private Optional<CollisionDetector.Collision> offer(String path, String pattern, String replicaPath) {
        rows.add(new String[] {path, pattern, replicaPath});
        return detector.add(rows.size() - 1, replicaPath);
    }

    @Test
    void add_distinctReplicaPaths_noCollision() {
        assertEquals(Optional.empty(), offer("/data/a/x.db", "/data/*/x.db", "a"));
        assertEquals(Optional.empty(), offer("/data/b/x.db", "/data/*/x.db", "b"));
        assertEquals(Optional.empty(), detector.add(0, "a"));
        assertTrue(detector.collisions().isEmpty());
    }

    @Test
    void add_sharedReplicaPath_namesBothDatabasesPatternsAndPath_andExcludesBoth() {
        offer("/data/p/projects/q/branches/main/db/one.sqlite", "/data/*/projects/*/branches/*/db/*.sqlite",
                "q/main/p");
        offer("/data/z/x.db", "/data/*/x.db", "other");
        CollisionDetector.Collision c = offer("/data/p/projects/q/branches/main/db/two.sqlite",
                "/data/*/projects/*/branches/*/db/*.sqlite", "q/main/p").orElseThrow();
        assertEquals("q/main/p", c.replicaPath());
        assertEquals(List.of(0, 2), c.databases().stream().map(CollisionDetector.Member::index).toList());
        assertEquals("replica path collision: 2 databases would replicate to 'q/main/p': "
                + "/data/p/projects/q/branches/main/db/one.sqlite (pattern '/data/*/projects/*/branches/*/db/*.sqlite'), "
                + "/data/p/projects/q/branches/main/db/two.sqlite (pattern '/data/*/projects/*/branches/*/db/*.sqlite'); "
                + "none of them is replicated until only one is left, or the replica-template.path uses the variable "
                + "that tells them apart", c.message());
        assertTrue(detector.isExcluded(0));
        assertTrue(detector.isExcluded(2));
        assertFalse(detector.isExcluded(1));
    }

    @Test
    void add_thirdDatabaseOnACollidedPath_joinsTheCollision() {
        offer("/a.db", "/*.db", "k");
        offer("/b.db", "/*.db", "k");
        CollisionDetector.Collision c = offer("/c.db", "/*.db", "k").orElseThrow();
        assertEquals(3, c.databases().size());
        assertEquals(1, detector.collisions().size());
    }

    @Test
    void remove_lastOtherMember_releasesTheSurvivor() {
        offer("/a.db", "/*.db", "k");
        offer("/b.db", "/*.db", "k");
        assertEquals(OptionalInt.of(1), detector.remove(0, "k"));
        assertFalse(detector.isExcluded(1));
        assertTrue(detector.collisions().isEmpty());
        assertTrue(offer("/c.db", "/*.db", "k").isPresent());
    }

    @Test
    void remove_heldPath_freesItForAnotherDatabase() {
        offer("/a.db", "/*.db", "k");
        assertEquals(OptionalInt.empty(), detector.remove(0, "k"));
        assertEquals(Optional.empty(), offer("/b.db", "/*.db", "k"));
    }

    @Test
    void add_hundredThousandDatabasesWithSomeDuplicates_findsExactlyTheDuplicates() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int duplicates = 0;
        for (int i = 0; i < 100_000; i++) {
            boolean dup = i > 0 && random.nextInt(1000) == 0;
            String replica = dup ? rows.get(random.nextInt(rows.size()))[2] + "" : "p" + i + "/db";
            if (offer("/data/" + i + ".db", "/data/*.db", replica).isPresent()) {
                duplicates++;
            }
        }
        long excluded = java.util.stream.IntStream.range(0, rows.size()).filter(detector::isExcluded).count();
        assertTrue(duplicates > 0, "seed " + seed);
        assertEquals(duplicates, detector.collisions().stream().mapToInt(c -> c.databases().size() - 1).sum(),
                "seed " + seed);
        assertEquals(duplicates + detector.collisions().size(), excluded, "seed " + seed);
    }

    @Test
    void add_twoPathsWithTheSameHash_areNotACollision() {
        // Birthday search for two replica paths whose 32-bit hashes are equal (~80,000 tries).
        java.util.Map<Integer, String> seen = new java.util.HashMap<>();
        String first = null;
        String second = null;
        for (int i = 0; first == null; i++) {
            String p = "tenant-" + i + "/db";
            String before = seen.putIfAbsent(CollisionDetector.hash(p), p);
            if (before != null) {
                first = before;
                second = p;
            }
        }
        assertEquals(CollisionDetector.hash(first), CollisionDetector.hash(second));
        assertEquals(Optional.empty(), offer("/a.db", "/*.db", first));
        assertEquals(Optional.empty(), offer("/b.db", "/*.db", second));
        assertTrue(offer("/c.db", "/*.db", second).isPresent(), "an equal path still collides");
        assertFalse(detector.isExcluded(0));
        assertEquals(OptionalInt.empty(), detector.remove(0, first));
        assertTrue(offer("/d.db", "/*.db", first).isEmpty(), "the freed path is available again");
    }
}
