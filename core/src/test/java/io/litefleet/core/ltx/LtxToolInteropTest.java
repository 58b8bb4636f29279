package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by {@link LtxEncoder} are accepted by superfly's {@code ltx} CLI v0.5.2, which reads them back. */
class LtxToolInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void ltxVerifyAndDump_ourSnapshotWithChecksums_acceptAndReportOurValues() throws Exception {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("ltxVerifyAndDump_snapshot"));
        LtxHeader h = LtxHeader.builder().pageSize(4096).commit(5).txids(1, 3).timestamp(1_700_000_000_123L)
                .wal(32, 5 * 4120, 0x0badcafe, 0x12345678).build();
        checkAgainstLtxTool(h, pages(rnd, 1, 2, 3, 4, 5));
    }

    @Test
    void ltxVerifyAndDump_ourIncrementalWithChecksums_acceptAndReportOurValues() throws Exception {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("ltxVerifyAndDump_incremental"));
        LtxHeader h = LtxHeader.builder().pageSize(1024).commit(40).txids(4, 9).timestamp(1_700_000_999_001L)
                .preApplyChecksum(Checksums.FLAG | rnd.nextLong()).wal(4152, 1056, 7, 8).nodeId(77).build();
        checkAgainstLtxTool(h, pages(rnd, 2, 3, 31, 40));
    }

    @Test
    void ltxVerifyAndDump_ourNoChecksumFiles_acceptAndReportOurValues() throws Exception {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("ltxVerifyAndDump_noChecksum"));
        checkAgainstLtxTool(LtxHeader.builder().noChecksum(true).pageSize(512).commit(3).txids(1, 1)
                .timestamp(1).build(), pages(rnd, 1, 2, 3));
        checkAgainstLtxTool(LtxHeader.builder().noChecksum(true).pageSize(65536).commit(9).txids(2, 2)
                .timestamp(2).build(), Map.of(9, new byte[65536]));
    }

    @Test
    void ltxVerify_ourFileWithFlippedPageByte_rejectsItLikeWeDo() throws Exception {
        Path ltx = PeerTools.ltx();
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("ltxVerify_flippedByte"));
        byte[] file = LtxTestFiles.snapshot(4096, LtxTestFiles.randomPages(rnd, 4096, 3));
        file[LtxHeader.SIZE + 10 + rnd.nextInt(4000)] ^= 0x40; // inside page 1's compressed block
        Path f = Files.write(dir.resolve("bad.ltx"), file);
        PeerProcess.Result r = PeerProcess.run(dir, TIMEOUT, List.of(ltx.toString(), "verify", f.toString()));
        assertNotEquals(0, r.exitCode(), r.both());
        assertTrue(!LtxVerifier.verify(f).isValid());
    }

    private static Map<Integer, byte[]> pages(SplittableRandom rnd, int... pgnos) {
        Map<Integer, byte[]> m = new java.util.TreeMap<>();
        for (int pgno : pgnos) {
            m.put(pgno, rnd.nextBoolean() ? LtxTestFiles.randomPage(rnd, 4096) : new byte[4096]);
        }
        return m;
    }

    private void checkAgainstLtxTool(LtxHeader h, Map<Integer, byte[]> pages) throws Exception {
        Path ltx = PeerTools.ltx();
        Path f = dir.resolve(String.format("%016x-%016x.ltx", h.minTxid(), h.maxTxid()));
        LtxTrailer trailer = encode(f, h, new java.util.TreeMap<>(pages));

        PeerProcess.Result verify = PeerProcess.run(dir, TIMEOUT, List.of(ltx.toString(), "verify", f.toString()));
        assertEquals(0, verify.exitCode(), verify.both());
        assertEquals("ok", verify.stdout().strip(), verify.both());

        PeerProcess.Result dump = PeerProcess.run(dir, TIMEOUT, List.of(ltx.toString(), "dump", f.toString()));
        assertEquals(0, dump.exitCode(), dump.both());
        String out = dump.stdout();
        assertEquals("3", field(out, "Version:\\s+(\\d+)"));
        assertEquals(String.format("0x%08x", h.flags()), field(out, "Flags:\\s+(\\S+)"));
        assertEquals(String.valueOf(h.pageSize()), field(out, "Page size:\\s+(\\d+)"));
        assertEquals(String.valueOf(h.commit()), field(out, "Commit:\\s+(\\d+)"));
        assertEquals(String.format("%016x", h.minTxid()), field(out, "Min TXID:\\s+(\\S+)"));
        assertEquals(String.format("%016x", h.maxTxid()), field(out, "Max TXID:\\s+(\\S+)"));
        assertEquals(String.valueOf(h.timestamp()), field(out, "Timestamp:\\s+\\S+ \\((\\d+)\\)"));
        assertEquals(Checksums.hex(h.preApplyChecksum()), field(out, "Pre-apply:\\s+(\\S+)"));
        assertEquals(String.valueOf(h.walOffset()), field(out, "WAL offset:\\s+(\\d+)"));
        assertEquals(String.valueOf(h.walSize()), field(out, "WAL size:\\s+(\\d+)"));
        assertEquals(String.format("%08x %08x", h.walSalt1(), h.walSalt2()), field(out, "WAL salt:\\s+(\\S+ \\S+)"));
        assertEquals(Checksums.hex(trailer.postApplyChecksum()), field(out, "Post-apply:\\s+(\\S+)"));
        assertEquals(Checksums.hex(trailer.fileChecksum()), field(out, "File Checksum:\\s+(\\S+)"));
        assertEquals(new ArrayList<>(pages.keySet()), frames(out));
    }

    private static LtxTrailer encode(Path f, LtxHeader h, Map<Integer, byte[]> pages) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(f))) {
            LtxEncoder enc = LtxEncoder.open(out, h);
            long rolling = Checksums.EMPTY_DATABASE;
            for (var e : pages.entrySet()) {
                byte[] page = java.util.Arrays.copyOf(e.getValue(), h.pageSize());
                enc.writePage(e.getKey(), page);
                rolling = Checksums.combine(rolling, Checksums.page(e.getKey(), page));
            }
            return h.noChecksum() ? enc.finish(0) : enc.finish(rolling);
        }
    }

    private static String field(String dump, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex).matcher(dump);
        assertTrue(m.find(), "ltx dump lacks " + regex + ":\n" + dump);
        return m.group(1);
    }

    private static List<Integer> frames(String dump) {
        Matcher m = Pattern.compile("(?m)^Frame #\\d+: pgno=(\\d+)").matcher(dump);
        List<Integer> pgnos = new ArrayList<>();
        while (m.find()) {
            pgnos.add(Integer.parseInt(m.group(1)));
        }
        return pgnos;
    }
}
