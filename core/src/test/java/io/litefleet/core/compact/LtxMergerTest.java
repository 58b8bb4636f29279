package io.litefleet.core.compact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.testkit.PeerTools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LtxMergerTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;

    static long seed(String test) {
        String fixed = System.getProperty("compact.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(test + ": seed=" + seed + " (replay with -Dcompact.seed=" + seed + ")");
        return seed;
    }

    /** A database's transactions as LTX files, oldest first. */
    private static List<byte[]> transactions(SimulatedDatabase db, int n) throws IOException {
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            files.add(db.nextTransaction(T0.plusSeconds(i)));
        }
        return files;
    }

    private static List<LtxSource> sources(List<byte[]> files) {
        return files.stream().<LtxSource>map(f -> () -> new ByteArrayInputStream(f)).toList();
    }

    private static byte[] merge(List<byte[]> files, boolean snapshot) throws IOException {
        try (InputStream in = LtxMerger.open(sources(files), snapshot)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096, 65536})
    void merge_randomRunsOfFiles_equalApplyingTheInputsInOrder(int pageSize) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed("merge_randomRuns/" + pageSize));
        for (int round = 0; round < 20; round++) {
            SimulatedDatabase db = new SimulatedDatabase(rnd, pageSize, pageSize == 65536 ? 12 : 40);
            List<byte[]> files = transactions(db, 2 + rnd.nextInt(15));
            int from = rnd.nextInt(files.size());
            int to = from + 1 + rnd.nextInt(files.size() - from);
            byte[] merged = merge(files.subList(from, to), false);

            PageState viaMerge = db.stateAt(from).copy();
            LtxHeader h = viaMerge.apply(new ByteArrayInputStream(merged));
            assertEquals(db.stateAt(to), viaMerge, "round " + round + ": files " + (from + 1) + ".." + to);

            LtxHeader last = LtxDecoder.open(new ByteArrayInputStream(files.get(to - 1))).header();
            assertEquals(from + 1, h.minTxid());
            assertEquals(to, h.maxTxid());
            assertEquals(last.commit(), h.commit());
            assertEquals(last.timestamp(), h.timestamp());
            assertTrue(h.noChecksum());
            assertEquals(0, h.walOffset());
        }
    }

    @Test
    void merge_fromTheFirstSnapshot_isAFullSnapshotThatLtxVerifyAccepts() throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed("merge_snapshot"));
        SimulatedDatabase db = new SimulatedDatabase(rnd, 4096, 60);
        List<byte[]> files = transactions(db, 30);
        byte[] merged = merge(files, true);

        LtxDecoder dec = LtxDecoder.open(new ByteArrayInputStream(merged));
        assertTrue(dec.header().isSnapshot());
        byte[] page = new byte[4096];
        int expected = 1;
        for (int pgno; (pgno = dec.readPage(page)) != 0; expected++) {
            assertEquals(expected, pgno, "a snapshot holds every page");
            assertArrayEquals(db.stateAt(30).pages().get(pgno), page);
        }
        assertEquals(dec.header().commit() + 1, expected);
        dec.finish();
        assertEquals(0, dec.finish().postApplyChecksum());

        ltxVerify(merged);
        ltxVerify(merge(files.subList(3, 17), false));
    }

    @Test
    void merge_toASnapshotWithoutStartingFromOne_isRejected() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed("merge_snapshotWithoutBase"));
        SimulatedDatabase db = new SimulatedDatabase(rnd, 1024, 20);
        List<byte[]> files = transactions(db, 5);
        LtxFormatException e = assertThrows(LtxFormatException.class, () -> merge(files.subList(1, 5), true));
        assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
    }

    @Test
    void mergedHeader_acrossADecreasingToken_isRefusedAtTheStaleInput_andZeroIsNeverJudged() throws IOException {
        List<LtxHeader> inputs = List.of(header(1, 0), header(2, 5), header(3, 0), header(4, 9), header(5, 7));
        StaleTokenException e = assertThrows(StaleTokenException.class, () -> LtxMerger.mergedHeader(inputs, 9));
        assertEquals(4, e.index());
        assertTrue(e.getMessage().contains("7") && e.getMessage().contains("9"), e.getMessage());
        assertEquals(9, LtxMerger.mergedHeader(inputs.subList(0, 4), 9).nodeId(), "the compactor's token");
        ReplicaException fenced = assertThrows(ReplicaException.class,
                () -> LtxMerger.mergedHeader(inputs.subList(0, 4), 8));
        assertEquals(ReplicaFailure.FENCED, fenced.failure(), "a newer owner's input: this compactor is stale");
        assertEquals(0, LtxMerger.mergedHeader(inputs.subList(0, 4), 0).nodeId(), "without a token of its own, no input fences the compactor");
    }

    private static LtxHeader header(long txid, long token) {
        return LtxHeader.builder().noChecksum(true).pageSize(1024).commit(1).txids(txid, txid).timestamp(txid)
                .nodeId(token).build();
    }

    @Test
    void merge_ofNonContiguousFiles_isRejected() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed("merge_gap"));
        SimulatedDatabase db = new SimulatedDatabase(rnd, 1024, 20);
        List<byte[]> files = transactions(db, 5);
        LtxFormatException e = assertThrows(LtxFormatException.class,
                () -> merge(List.of(files.get(0), files.get(2)), false));
        assertTrue(e.getMessage().contains("non-contiguous"), e.getMessage());
    }

    @Test
    void merge_ofACorruptInput_failsBeforeTheTrailerIsHandedOut() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed("merge_corrupt"));
        SimulatedDatabase db = new SimulatedDatabase(rnd, 1024, 20);
        List<byte[]> files = transactions(db, 4);
        byte[] bad = files.get(2).clone();
        bad[bad.length - 1] ^= 1;
        List<byte[]> inputs = List.of(files.get(0), files.get(1), bad, files.get(3));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (InputStream in = LtxMerger.open(sources(inputs), true)) {
            assertThrows(LtxFormatException.class, () -> in.transferTo(got));
        }
        assertTrue(got.size() < merge(files, true).length - 16, "the trailer must not have been produced");
    }

    @Test
    void prepare_overTheMemoryLimit_mergesAgainOnEachOpenAndYieldsTheSameBytes() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed("prepare_twoPass"));
        SimulatedDatabase db = new SimulatedDatabase(rnd, 4096, 50);
        List<byte[]> files = transactions(db, 12);
        byte[] expected = merge(files, true);
        int[] opens = {0};
        List<LtxSource> counted = files.stream().<LtxSource>map(f -> () -> {
            opens[0]++;
            return new ByteArrayInputStream(f);
        }).toList();

        LtxMerger.MergedFile small = LtxMerger.prepare(counted, true, 1024);
        assertFalse(small.inMemory());
        assertEquals(expected.length, small.length());
        assertEquals(files.size(), opens[0], "pass one opens each input once");
        for (int pass = 0; pass < 2; pass++) {
            try (InputStream in = small.body().open()) {
                assertArrayEquals(expected, in.readAllBytes());
            }
        }
        assertEquals(3 * files.size(), opens[0], "each open of the body merges again");

        LtxMerger.MergedFile big = LtxMerger.prepare(counted, true, LtxMerger.DEFAULT_MEMORY_LIMIT);
        assertTrue(big.inMemory());
        try (InputStream in = big.body().open()) {
            assertArrayEquals(expected, in.readAllBytes());
        }
    }

    @Test
    void prepare_whenAnInputChangesBetweenPasses_failsTheSecondPass() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed("prepare_changed"));
        SimulatedDatabase db = new SimulatedDatabase(rnd, 4096, 30);
        List<byte[]> files = new ArrayList<>(transactions(db, 4));
        SimulatedDatabase other = new SimulatedDatabase(new SplittableRandom(rnd.nextLong()), 4096, 30);
        byte[] replacement = transactions(other, 4).get(3);
        List<LtxSource> sources = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            int idx = i;
            sources.add(() -> new ByteArrayInputStream(files.get(idx)));
        }
        LtxMerger.MergedFile m = LtxMerger.prepare(sources, true, 0);
        files.set(3, replacement);
        try (InputStream in = m.body().open()) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("changed between the two passes")
                    || e instanceof LtxFormatException, e.getMessage());
        }
    }

    private void ltxVerify(byte[] file) throws Exception {
        Path ltx = PeerTools.ltx();
        Path f = Files.write(Files.createTempFile(dir, "merged", ".ltx"), file);
        Process p = new ProcessBuilder(ltx.toString(), "verify", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ltx verify timed out");
        assertEquals(0, p.exitValue(), out);
        assertEquals("ok", out.strip());
    }
}
