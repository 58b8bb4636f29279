package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.server.VersityGwExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream's directory mode on S3 (versitygw), replica given as an S3 URL with a query, run by stock
 * {@code litestream} v0.5.16 and by the image: the same object keys down to each database's level-0 prefix
 * ({@code <path>/<rel>/0000/}), stock and our restores of each database equal to the source, and the whole set
 * restored from the bucket by {@code litefleet restore -config FILE -o DIR <dir>}.
 */
class DirectoryModeS3IT {
    private static final String BUCKET = "dirs";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<String> DATABASES = List.of("a.db", "sub/c.db", "sub/deep/d.db");

    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET);

    @TempDir
    Path dir;

    @Test
    void s3Url_sameKeysAsUpstream_bothRestoresEqual_andTheSetRestoresFromTheBucket() throws Exception {
        Path upData = data("up");
        Path ourData = data("ours");
        Path upConfig = config("up", upData);
        Path ourConfig = config("ours", ourData);
        Map<String, String> env = new HashMap<>(S3.gw().childEnvironment());
        env.put("XDG_DATA_HOME", dir.resolve("xdg").toString());
        Process up = Image.process(List.of(PeerTools.litestream().toString(), "replicate", "-config",
                upConfig.toString()), env, dir.resolve("up.log")).start();
        Process ours = Image.process(List.of(Image.litefleet().toString(), "replicate", "-config",
                ourConfig.toString()), env, dir.resolve("ours.log")).start();
        try {
            Await.until(WAIT, () -> "both ship every database\n" + read("up.log") + read("ours.log"),
                    () -> shipped("up").containsAll(DATABASES) && shipped("ours").containsAll(DATABASES));
            for (String rel : DATABASES) {
                write(upData.resolve(rel), "second");
                write(ourData.resolve(rel), "second");
            }
            assertEquals(0, Image.stop(up, Duration.ofSeconds(30)), read("up.log"));
            assertEquals(0, Image.stop(ours, Duration.ofSeconds(60)), read("ours.log"));
        } finally {
            Image.stop(up, Duration.ZERO);
            Image.stop(ours, Duration.ZERO);
        }
        assertEquals(new TreeSet<>(DATABASES), shipped("up"), listing("up"));
        assertEquals(prefixes("up"), prefixes("ours"), "object prefixes down to each 0000/: upstream\n"
                + listing("up") + "ours\n" + listing("ours"));

        for (String rel : DATABASES) {
            String url = S3.gw().url(BUCKET, "ours/" + rel);
            Path stock = dir.resolve("stock-" + rel.replace('/', '_'));
            Image.Result s = Image.run(dir, Duration.ofMinutes(2), env, PeerTools.litestream().toString(), "restore",
                    "-o", stock.toString(), url);
            assertEquals(0, s.exitCode(), s.output());
            assertSame(ourData.resolve(rel), stock, "stock restore of " + url);
            Path mine = dir.resolve("mine-" + rel.replace('/', '_'));
            Image.Result m = Image.litefleet(dir, env, "restore", "-o", mine.toString(), url);
            assertEquals(0, m.exitCode(), m.output());
            assertSame(ourData.resolve(rel), mine, "our restore of " + url);
        }
        Path set = dir.resolve("set");
        Image.Result r = Image.litefleet(dir, env, "restore", "-config", ourConfig.toString(), "-o", set.toString(),
                ourData.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("restored 3 databases"), r.output());
        for (String rel : DATABASES) {
            assertSame(ourData.resolve(rel), set.resolve(rel), "set restore of " + rel);
        }
    }

    private Path data(String name) throws Exception {
        Path d = dir.resolve(name);
        for (String rel : DATABASES) {
            db(d.resolve(rel));
        }
        db(d.resolve("x.sqlite")); // not matched by the pattern
        return d;
    }

    /** The same config for both tools but for the directory and the replica path. */
    private Path config(String name, Path data) throws IOException {
        return Files.writeString(dir.resolve(name + ".yml"), """
                dbs:
                  - dir: %s
                    pattern: "*.db"
                    recursive: true
                    replica:
                      url: "%s"
                """.formatted(data, S3.gw().url(BUCKET, name)));
    }

    /** The databases with at least one level-0 object under {@code <prefix>/}. */
    private Set<String> shipped(String prefix) {
        Set<String> out = new TreeSet<>();
        for (String key : keys(prefix)) {
            if (key.matches(".*/0000/[0-9a-f]{16}-[0-9a-f]{16}\\.ltx")) {
                out.add(key.substring(0, key.lastIndexOf("/0000/")));
            }
        }
        return out;
    }

    /** Every prefix of every object key down to its level directory, leaving out levels above 0 (timer-driven). */
    private Set<String> prefixes(String prefix) {
        Set<String> out = new TreeSet<>();
        for (String key : keys(prefix)) {
            String[] parts = key.split("/");
            if (parts.length >= 2 && !parts[parts.length - 2].equals("0000")) {
                continue;
            }
            StringBuilder p = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                p.append(i == 0 ? "" : "/").append(parts[i]);
                out.add(p.toString());
            }
        }
        return out;
    }

    /** Object keys under {@code <prefix>/}, relative to it (versitygw keeps objects as files named by their keys). */
    private List<String> keys(String prefix) {
        Path root = S3.gw().bucketDir(BUCKET).resolve(prefix);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            return List.of(); // an object written under the walk: the next poll sees it
        }
    }

    private String listing(String prefix) {
        StringBuilder b = new StringBuilder();
        keys(prefix).forEach(k -> b.append("  ").append(k).append('\n'));
        return b.toString();
    }

    private String read(String log) {
        try {
            return log + ":\n" + Files.readString(dir.resolve(log)) + "\n";
        } catch (IOException e) {
            return log + ": " + e + "\n";
        }
    }

    private static void assertSame(Path source, Path restored, String what) throws Exception {
        assertEquals(DbContent.hash(source), DbContent.hash(restored), what);
        assertEquals("ok", DbContent.integrityCheck(restored), what);
    }

    private static void db(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(v TEXT)");
            s.execute("INSERT INTO t VALUES ('" + p.getFileName() + "')");
        }
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES ('" + v + "')");
        }
    }
}
