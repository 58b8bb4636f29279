package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The end of every replication test: each database restored from its replica URL by the image's
 * {@code litefleet restore} (one JVM for all, {@link RestoreBatch}) and by stock {@code litestream restore} v0.5.16,
 * both equal to the source (content hash) and passing {@code PRAGMA integrity_check}. The sources must be at rest.
 */
final class RestoreCheck {
    private RestoreCheck() {
    }

    /** Restores each of {@code replicas} (database to replica URL) into {@code dir} both ways and compares. */
    static void assertRestoresEqual(Path dir, Map<String, String> env, Map<Path, String> replicas) throws Exception {
        List<Path> dbs = new ArrayList<>(replicas.keySet());
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < dbs.size(); i++) {
            commands.add(List.of("restore", "-o", out(dir, "ours", i).toString(), replicas.get(dbs.get(i))));
        }
        List<Image.Result> ours = RestoreBatch.run(dir, env, commands, Duration.ofMinutes(5));
        for (int i = 0; i < dbs.size(); i++) {
            assertEqualRestore(dbs.get(i), ours.get(i), out(dir, "ours", i), "litefleet");
            Path stock = out(dir, "stock", i);
            Image.Result r = Image.run(dir, Duration.ofMinutes(1), env, PeerTools.litestream().toString(), "restore",
                    "-o", stock.toString(), replicas.get(dbs.get(i)));
            assertEqualRestore(dbs.get(i), r, stock, "litestream v0.5.16");
        }
    }

    private static Path out(Path dir, String tool, int i) {
        return dir.resolve("restored-" + tool + "-" + i + ".db");
    }

    private static void assertEqualRestore(Path db, Image.Result r, Path out, String tool) throws Exception {
        assertEquals(0, r.exitCode(), tool + " restore of " + db + ": " + r.output());
        assertEquals(DbContent.hash(db), DbContent.hash(out), tool + " restore of " + db);
        assertEquals("ok", DbContent.integrityCheck(out), tool + " restore of " + db);
    }
}
