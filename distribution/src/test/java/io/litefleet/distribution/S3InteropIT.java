package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import io.litefleet.testkit.server.VersityGw;
import io.litefleet.testkit.server.VersityGwExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Litefleet's image and upstream Litestream v0.5.16 on the same S3 server (versitygw on 127.0.0.1), both directions:
 * stock {@code litestream restore} restores what {@code litefleet replicate} wrote, and Litefleet restores and
 * continues what {@code litestream replicate} wrote; every test ends with both restores equal to the source by
 * content hash and {@code integrity_check}. Runs {@code bin/litefleet} of the built image, so the S3 plugin is
 * loaded as users load it: a drop-in module layer on the jlink runtime.
 *
 * <p>This lives in {@code distribution}, not in {@code replica-s3}: the plugin depends on {@code api} only, and an
 * end-to-end run needs the engine and the CLI, which only the image (or {@code core}) has.
 */
class S3InteropIT {
    private static final String BUCKET = "interop";
    private static final Pattern L0 = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.ltx");
    /** Go's {@code time.RFC3339Nano} in UTC, which upstream writes into {@code litestream-timestamp}. */
    private static final DateTimeFormatter GO_RFC3339_NANO = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendLiteral('Z').toFormatter(Locale.ROOT).withZone(ZoneOffset.UTC);

    @RegisterExtension
    static final VersityGwExtension S3 = new VersityGwExtension(BUCKET);

    @TempDir
    Path dir;

    @Test
    void litefleetReplica_isRestoredByStockLitestream_withUpstreamsLayoutAndTimestamps() throws Exception {
        Path db = dir.resolve("app.db");
        Path config = config("ours/app.db", db, true);
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)",
                    // about 8 MiB of incompressible pages: the first snapshot goes up as a multipart upload
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                            + "INSERT INTO t(v) SELECT randomblob(4000) FROM n");
            Process daemon = startLitefleet(config, env(false));
            try {
                awaitL0("ours/app.db", 1);
                for (int i = 0; i < 20; i++) {
                    SqliteFiles.exec(app, "UPDATE t SET v = randomblob(100) WHERE id % 20 = " + i,
                            "INSERT INTO t(v) VALUES (randomblob(50))");
                }
                assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), "SIGTERM flushes and exits 0:\n"
                        + log());
            } finally {
                Image.stop(daemon, Duration.ZERO);
            }
            assertBothRestoresEqual("ours/app.db", DbContent.hash(app));
        }
        Path first = S3.gw().bucketDir(BUCKET).resolve("ours/app.db/0000").resolve(l0Files("ours/app.db").getFirst());
        assertTrue(Files.size(first) > 5L << 20, "the first snapshot (" + Files.size(first) + " bytes) is past the "
                + "5 MiB part size, so stock litestream restored a multipart upload");
        assertTimestampsAsUpstreamWritesThem("ours/app.db");
        assertFalse(log().contains(S3.gw().secretKey()), "the secret from the config is not in the log");
        assertTrue(log().contains("s3://" + BUCKET), "the log names the destination:\n" + log());
    }

    @Test
    void upstreamReplica_isRestoredAndContinuedByLitefleet() throws Exception {
        Path db = dir.resolve("theirs.db");
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            Path yml = Files.writeString(dir.resolve("litestream.yml"), """
                    dbs:
                      - path: %s
                        monitor-interval: 100ms
                        replica:
                          type: s3
                          bucket: %s
                          path: theirs/app.db
                          endpoint: %s
                          region: %s
                          force-path-style: true
                          sync-interval: 100ms
                    """.formatted(db, BUCKET, S3.gw().endpoint(), VersityGw.REGION));
            Process upstream = Image.process(List.of(PeerTools.litestream().toString(), "replicate", "-config",
                    yml.toString()), S3.gw().childEnvironment(), dir.resolve("litestream.log")).start();
            try {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('from upstream')");
                awaitL0("theirs/app.db", 1);
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('from upstream, second')");
                awaitL0("theirs/app.db", 2);
                assertEquals(0, Image.stop(upstream, Duration.ofSeconds(30)),
                        Files.readString(dir.resolve("litestream.log")));
            } finally {
                Image.stop(upstream, Duration.ZERO);
            }
            List<String> theirs = l0Files("theirs/app.db");
            long theirMax = maxTxid(theirs);
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('after upstream stopped')");
            Image.Result once = Image.litefleet(dir, env(true), "replicate", "-once", "-config",
                    config("theirs/app.db", db, false).toString());
            assertEquals(0, once.exitCode(), once.output());
            assertEquals(theirMax + 1, maxTxid(l0Files("theirs/app.db")), "our TXIDs continue upstream's:\n"
                    + once.output());
            assertTrue(l0Files("theirs/app.db").containsAll(theirs), "upstream's files are kept");
            assertBothRestoresEqual("theirs/app.db", DbContent.hash(app));
        }
        assertTimestampsAsUpstreamWritesThem("theirs/app.db");
    }

    @Test
    void serverStoppedWhileReplicating_replicationResumesByItself() throws Exception {
        Path db = dir.resolve("resume.db");
        Path config = config("resume/app.db", db, true);
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('before')");
            Process daemon = startLitefleet(config, env(false));
            try {
                awaitL0("resume/app.db", 1);
                S3.gw().stop();
                for (int i = 0; i < 5; i++) {
                    SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('while the server is down " + i + "')");
                }
                awaitLog("UNAVAILABLE");
                S3.gw().restart();
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('after')");
                long before = maxTxid(l0Files("resume/app.db"));
                awaitNewTxid("resume/app.db", before);
                assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), log());
            } finally {
                Image.stop(daemon, Duration.ZERO);
                if (!S3.gw().isRunning()) {
                    S3.gw().restart();
                }
            }
            assertBothRestoresEqual("resume/app.db", DbContent.hash(app));
        }
        assertTrue(log().contains("s3://" + BUCKET + "/resume/app.db"), "failures name the destination:\n" + log());
        log().lines().filter(l -> l.contains("UNAVAILABLE")).limit(3).forEach(System.out::println); // for the report
        assertFalse(log().contains(S3.gw().secretKey()), "the secret is not in the log");
    }

    // ---- helpers ----

    /**
     * A {@code dbs:} config replicating {@code db} to {@code path} in the bucket; with {@code credentials}, the keys
     * are in the file (and must not reach the log), otherwise they come from the environment.
     */
    /**
     * Upstream's top-level replica defaults (issue 11): bucket, endpoint, region, path style, credentials and sync
     * interval given once at the top reach the s3 replica that does not set them; no AWS variable is in the
     * environment, so the credentials can only have come from the top of the file.
     */
    @Test
    void topLevelReplicaDefaults_reachTheS3Replica() throws Exception {
        VersityGw gw = S3.gw();
        Path db = dir.resolve("defaults.db");
        Path config = Files.writeString(dir.resolve("defaults.yml"), """
                bucket: %s
                endpoint: %s
                region: %s
                force-path-style: true
                access-key-id: %s
                secret-access-key: %s
                sync-interval: 100ms
                state-dir: %s
                dbs:
                  - path: %s
                    replica:
                      type: s3
                      path: defaults/app.db
                """.formatted(BUCKET, gw.endpoint(), VersityGw.REGION, gw.accessKey(), gw.secretKey(),
                dir.resolve("state"), db));
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
            Process daemon = startLitefleet(config, env(false));
            try {
                awaitL0("defaults/app.db", 1);
                SqliteFiles.exec(app, "INSERT INTO t VALUES (2)");
                assertEquals(0, Image.stop(daemon, Duration.ofSeconds(60)), log());
            } finally {
                Image.stop(daemon, Duration.ZERO);
            }
        }
        assertFalse(log().contains("WARNING"), log());
        assertBothRestoresEqual("defaults/app.db", DbContent.hash(db));
    }

    private Path config(String path, Path db, boolean credentials) throws IOException {
        VersityGw gw = S3.gw();
        String keys = credentials ? """
                      access-key-id: %s
                      secret-access-key: %s
                """.formatted(gw.accessKey(), gw.secretKey()) : "";
        return Files.writeString(dir.resolve("litefleet-" + path.replace('/', '_') + ".yml"), """
                state-dir: %s
                dbs:
                  - path: %s
                    replica:
                      type: s3
                      bucket: %s
                      path: %s
                      endpoint: %s
                      region: %s
                      force-path-style: true
                      sync-interval: 100ms
                %s""".formatted(dir.resolve("state"), db, BUCKET, path, gw.endpoint(), VersityGw.REGION, keys));
    }

    /** The environment of a child: with or without the credentials, never AWS_CA_BUNDLE (upstream fails on it). */
    private static Map<String, String> env(boolean credentials) {
        Map<String, String> env = new HashMap<>(S3.gw().childEnvironment());
        if (!credentials) {
            env.put("AWS_ACCESS_KEY_ID", null);
            env.put("AWS_SECRET_ACCESS_KEY", null);
        }
        return env;
    }

    private Process startLitefleet(Path config, Map<String, String> env) throws IOException {
        return Image.process(List.of(Image.litefleet().toString(), "replicate", "-config", config.toString()), env,
                dir.resolve("litefleet.log")).start();
    }

    private String log() {
        Path log = dir.resolve("litefleet.log");
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Our restore (the image) and stock {@code litestream restore}, both equal to {@code hash} and intact. */
    private void assertBothRestoresEqual(String path, String hash) throws Exception {
        String url = S3.gw().url(BUCKET, path);
        Path ours = dir.resolve("ours-" + path.replace('/', '_'));
        Image.Result r = Image.litefleet(dir, env(true), "restore", "-o", ours.toString(), url);
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(hash, DbContent.hash(ours), "litefleet restore of " + url);
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("stock-" + path.replace('/', '_'));
        Image.Result s = Image.run(dir, Duration.ofMinutes(2), env(true), PeerTools.litestream().toString(),
                "restore", "-o", stock.toString(), url);
        assertEquals(0, s.exitCode(), s.output());
        assertEquals(hash, DbContent.hash(stock), "litestream restore of " + url);
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    /**
     * Every LTX object's {@code litestream-timestamp} (as versitygw keeps it, in the {@code user.metadata} xattr) is
     * its header's millisecond timestamp in Go's RFC3339Nano: what upstream writes, byte for byte.
     */
    private static void assertTimestampsAsUpstreamWritesThem(String path) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(S3.gw().bucketDir(BUCKET).resolve(path))) {
            files = s.filter(p -> p.toString().endsWith(".ltx")).toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(f), 0, 100);
            String expected = GO_RFC3339_NANO.format(Instant.ofEpochMilli(header.getLong(32)));
            assertEquals("{\"litestream-timestamp\":\"" + expected + "\"}", xattr(f, "metadata"), f.toString());
        }
    }

    private static String xattr(Path f, String name) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(view.size(name));
        view.read(name, b);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** The level-0 LTX file names of the replica at {@code path}, sorted. */
    private static List<String> l0Files(String path) {
        Path l0 = S3.gw().bucketDir(BUCKET).resolve(path).resolve("0000");
        if (!Files.isDirectory(l0)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(l0)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> L0.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the server removing a file as we list is not expected here
        }
    }

    private static long maxTxid(List<String> names) {
        long max = 0;
        for (String n : names) {
            Matcher m = L0.matcher(n);
            if (m.matches()) {
                max = Math.max(max, Long.parseUnsignedLong(m.group(2), 16));
            }
        }
        return max;
    }

    private static void awaitL0(String path, long txid) throws Exception {
        Await.until(Duration.ofSeconds(60), "an L0 file up to TXID " + txid + " under " + path,
                () -> maxTxid(l0Files(path)) >= txid);
    }

    private static void awaitNewTxid(String path, long after) throws Exception {
        Await.until(Duration.ofSeconds(60), "an L0 file past TXID " + after + " under " + path,
                () -> maxTxid(l0Files(path)) > after);
    }

    private void awaitLog(String fragment) throws Exception {
        Await.until(Duration.ofSeconds(60), "'" + fragment + "' in the log", () -> log().contains(fragment));
    }
}
