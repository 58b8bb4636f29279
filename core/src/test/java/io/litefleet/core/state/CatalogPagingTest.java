package io.litefleet.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.core.state.Catalog.DatabaseRow;
import io.litefleet.core.state.ReplicaPosition.WalMark;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status API's paging over the catalog: pages of databases after a path, every replica row of a database in the
 * same page, filtered by tier and prefix.
 */
class CatalogPagingTest {
    private static ReplicaPosition pos(String path, String replica) {
        return new ReplicaPosition(path, replica, 5, 0, 4096, 2, WalMark.NONE, new FileFingerprint(8192, 1, 0, 0),
                Instant.ofEpochMilli(1_764_000_000_000L));
    }

    @Test
    void pages_neverSplitADatabase_andFilterByTierAndPrefix(@TempDir Path dir) throws IOException {
        try (Catalog c = Catalog.open(dir)) {
            List<ReplicaPosition> all = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                String p = String.format("/d/%s/t%d.db", i < 4 ? "a" : "b", i);
                all.add(pos(p, "file:///one" + p));
                if (i % 2 == 0) {
                    all.add(pos(p, "s3://two" + p)); // a second destination
                }
            }
            c.putAll(all);
            c.putTiers(List.of(new Catalog.TierChange("/d/a/t1.db", "hot", 1, 0, Instant.EPOCH),
                    new Catalog.TierChange("/d/b/t5.db", "hot", 1, 0, Instant.EPOCH)));

            List<String> seen = new ArrayList<>();
            String after = null;
            int pages = 0;
            while (true) {
                List<DatabaseRow> page = c.databases(null, null, after, 3);
                if (page.isEmpty()) {
                    break;
                }
                List<String> paths = page.stream().map(DatabaseRow::path).distinct().toList();
                assertEquals(true, paths.size() <= 3, "at most 3 databases: " + paths);
                for (String p : paths) {
                    assertEquals(all.stream().filter(x -> x.dbPath().equals(p)).count(),
                            page.stream().filter(r -> r.path().equals(p)).count(), "every replica of " + p);
                }
                seen.addAll(paths);
                after = paths.getLast();
                pages++;
            }
            assertEquals(3, pages);
            assertEquals(List.of("/d/a/t0.db", "/d/a/t1.db", "/d/a/t2.db", "/d/a/t3.db", "/d/b/t4.db", "/d/b/t5.db",
                    "/d/b/t6.db"), seen);
            assertEquals(List.of("/d/a/t1.db", "/d/b/t5.db"), c.databases("hot", null, null, 10).stream()
                    .map(DatabaseRow::path).toList());
            assertEquals(List.of("/d/b/t4.db", "/d/b/t6.db"), c.databases("cold", "/d/b/", null, 10).stream()
                    .map(DatabaseRow::path).distinct().toList());
            assertEquals(List.of("/d/b/t6.db"), c.databases("cold", "/d/b/", "/d/b/t4.db", 10).stream()
                    .map(DatabaseRow::path).distinct().toList());
        }
    }
}
