package io.litefleet.core.compact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.testkit.PeerTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file replica of a real SQLite database, after our compactions (L1-L3), snapshot (L9) and retention, is restored
 * by stock {@code litestream restore} v0.5.16 to the same bytes, at the latest state and at an older TXID.
 */
class CompactionInteropTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration STEP = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final List<byte[]> states = new ArrayList<>();
    private byte[] previous = new byte[0];

    @Test
    void litestreamRestore_ofACompactedAndTrimmedReplica_yieldsTheSameDatabase() throws Exception {
        Path litestream = PeerTools.litestream();
        SplittableRandom rnd = new SplittableRandom(LtxMergerTest.seed("interop"));
        Path root = Files.createDirectories(dir.resolve("replica"));
        Path db = dir.resolve("src.db");
        states.add(new byte[0]);
        try (ReplicaClient client = new FileReplicaClientProvider().create(Settings.of("test",
                Map.of(FileReplicaClientProvider.ROOT, root.toString())));
                Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            ReplicaTarget target = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
            Maintenance m = Maintenance.create(target, CompactionSettings.defaults(), 0.0, 16 * 1024);
            exec(c, "PRAGMA journal_mode=DELETE", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            Instant now = T0;
            while (now.isBefore(T0.plus(Duration.ofMinutes(70)))) {
                now = now.plus(STEP);
                if (now.isBefore(T0.plus(Duration.ofMinutes(65))) && rnd.nextInt(3) == 0) {
                    transaction(c, rnd);
                    m.onUploaded(upload(target, db, now));
                }
                assertFalse(m.runDue(now).failed());
            }
            assertFalse(levels(root, 1).isEmpty() || levels(root, 2).isEmpty() || levels(root, 3).isEmpty());
            long last = states.size() - 1;
            assertRestores(litestream, root, last);
            long older = levels(root, 2).get(levels(root, 2).size() / 2).maxTxid();
            assertRestores(litestream, root, older);

            while (now.isBefore(T0.plus(Duration.ofHours(24)).plus(STEP))) {
                now = now.plus(STEP);
                assertFalse(m.runDue(now).failed());
            }
            assertEquals(1, levels(root, 9).size(), "a snapshot was written");
            assertEquals(1, levels(root, 1).size(), "L1 below the snapshot was trimmed");
            assertEquals(1, levels(root, 0).size(), "L0 was trimmed");
            assertRestores(litestream, root, last);
        }
    }

    private void assertRestores(Path litestream, Path root, long txid) throws Exception {
        Path out = dir.resolve("out-" + txid + "-" + System.nanoTime() + ".db");
        List<String> cmd = new ArrayList<>(List.of(litestream.toString(), "restore", "-o", out.toString()));
        if (txid != states.size() - 1) {
            cmd.addAll(List.of("-txid", String.format("%016x", txid)));
        }
        cmd.add("file://" + root);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "litestream restore timed out");
        assertEquals(0, p.exitValue(), log);
        assertArrayEquals(states.get((int) txid), Files.readAllBytes(out), "restored TXID " + txid + "\n" + log);
    }

    private static List<LtxFileRef> levels(Path root, int level) throws IOException {
        Path d = root.resolve("ltx").resolve(Integer.toString(level));
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (var s = Files.list(d)) {
            return s.map(f -> ReplicaLayout.parseFileName(f.getFileName().toString())).flatMap(java.util.Optional::stream)
                    .map(r -> new LtxFileRef(level, r.min(), r.max(), T0, 0)).sorted(
                            java.util.Comparator.comparingLong(LtxFileRef::minTxid)).toList();
        }
    }

    private static void exec(Connection c, String... sql) throws Exception {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static void transaction(Connection c, SplittableRandom rnd) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ins = c.prepareStatement("INSERT OR REPLACE INTO t(id, v) VALUES (?, ?)");
                PreparedStatement del = c.prepareStatement("DELETE FROM t WHERE id = ?")) {
            for (int i = 0, n = 1 + rnd.nextInt(8); i < n; i++) {
                if (rnd.nextInt(5) == 0) {
                    del.setInt(1, rnd.nextInt(400));
                    del.executeUpdate();
                } else {
                    byte[] v = new byte[16 + rnd.nextInt(1500)];
                    rnd.nextBytes(v);
                    ins.setInt(1, rnd.nextInt(400));
                    ins.setBytes(2, v);
                    ins.executeUpdate();
                }
            }
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** Plays the engine: the pages the transaction changed, as the next level-0 file. */
    private LtxFileRef upload(ReplicaTarget target, Path db, Instant now) throws IOException {
        byte[] file = Files.readAllBytes(db);
        int pageSize = (file[16] & 0xFF) << 8 | (file[17] & 0xFF);
        int commit = file.length / pageSize;
        long txid = states.size();
        LtxHeader h = LtxHeader.builder().noChecksum(true).pageSize(pageSize).commit(commit).txids(txid, txid)
                .timestamp(now.toEpochMilli()).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, h);
        for (int pgno = 1; pgno <= commit; pgno++) {
            int off = (pgno - 1) * pageSize;
            byte[] page = Arrays.copyOfRange(file, off, off + pageSize);
            boolean changed = off + pageSize > previous.length
                    || !Arrays.equals(previous, off, off + pageSize, file, off, off + pageSize);
            if (txid == 1 || changed) {
                enc.writePage(pgno, page);
            }
        }
        enc.finish();
        byte[] ltx = out.toByteArray();
        target.client().put(target.key(0, txid, txid), ObjectBody.of(ltx), PutOptions.DEFAULT.withTimestamp(now));
        previous = file;
        states.add(file);
        return new LtxFileRef(0, txid, txid, now, ltx.length);
    }
}
