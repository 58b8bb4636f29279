package io.litefleet.core.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test-only WAL byte manipulation, written independently of the production checksum code (plain int arithmetic
 * on byte arrays) so that agreement between the two means something.
 */
final class TestWal {
    static final int HEADER = 32;
    static final int FRAME_HEADER = 24;

    private TestWal() {
    }

    static int pageSize(byte[] wal) {
        return getBe(wal, 8);
    }

    static int frameSize(byte[] wal) {
        return FRAME_HEADER + pageSize(wal);
    }

    static int getBe(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    static void putBe(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int word(byte[] b, int at, boolean bigEndian) {
        return bigEndian ? getBe(b, at)
                : (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8) | ((b[at + 2] & 0xff) << 16) | ((b[at + 3] & 0xff) << 24);
    }

    /** s0/s1 continued over b[from, from+len), per fileformat2.html "WAL checksum algorithm". */
    static int[] checksum(int[] s, byte[] b, int from, int len, boolean bigEndian) {
        int s0 = s[0];
        int s1 = s[1];
        for (int i = from; i < from + len; i += 8) {
            s0 += word(b, i, bigEndian) + s1;
            s1 += word(b, i + 4, bigEndian) + s0;
        }
        return new int[] {s0, s1};
    }

    /**
     * A copy of {@code wal} with the magic for {@code bigEndian} and every checksum recomputed in that order:
     * the header's, then each frame's in sequence while frames carry the header's salts (later ones are copied as
     * they are). {@code frameEdit} may change each frame before its checksum is computed.
     */
    static byte[] rewrite(byte[] wal, boolean bigEndian, FrameEdit frameEdit) {
        byte[] out = wal.clone();
        putBe(out, 0, bigEndian ? 0x377f0683 : 0x377f0682);
        int[] s = checksum(new int[2], out, 0, 24, bigEndian);
        putBe(out, 24, s[0]);
        putBe(out, 28, s[1]);
        int frameSize = frameSize(out);
        for (int at = HEADER, i = 0; at + frameSize <= out.length; at += frameSize, i++) {
            if (getBe(out, at + 8) != getBe(out, 16) || getBe(out, at + 12) != getBe(out, 20)) {
                break;
            }
            frameEdit.edit(i, out, at);
            s = checksum(s, out, at, 8, bigEndian);
            s = checksum(s, out, at + FRAME_HEADER, frameSize - FRAME_HEADER, bigEndian);
            putBe(out, at + 16, s[0]);
            putBe(out, at + 20, s[1]);
        }
        return out;
    }

    static byte[] rewrite(byte[] wal, boolean bigEndian) {
        return rewrite(wal, bigEndian, (i, b, at) -> { });
    }

    /** Changes frame number {@code index} (0-based) whose header starts at {@code at} in {@code wal}. */
    @FunctionalInterface
    interface FrameEdit {
        void edit(int index, byte[] wal, int at);
    }

    /** Reads everything from the start of the WAL at {@code path}. */
    static WalBatch readAll(Path path) throws IOException {
        try (WalReader reader = WalReader.open(path)) {
            return reader.read(WalPosition.INITIAL);
        }
    }

    /** The page numbers of each transaction, for readable comparisons. */
    static List<List<Long>> pages(List<WalTransaction> transactions) {
        List<List<Long>> out = new ArrayList<>();
        for (WalTransaction tx : transactions) {
            out.add(tx.frames().stream().map(WalFrame::pageNumber).toList());
        }
        return out;
    }

    /**
     * The database {@code base} with {@code transactions} applied: the latest frame of each page written over
     * it, truncated or extended to the last commit size, the way a checkpoint would.
     */
    static byte[] apply(byte[] base, WalReader reader, List<WalTransaction> transactions) throws IOException {
        List<WalFrame> frames = WalFrames.latestPerPage(transactions);
        if (frames.isEmpty()) {
            return base.clone();
        }
        int pageSize = frames.getFirst().pageSize();
        long dbSize = transactions.getLast().commitSize();
        byte[] db = Arrays.copyOf(base, Math.toIntExact(dbSize * pageSize));
        ByteBuffer pooled = ByteBuffer.allocateDirect(pageSize);
        for (WalFrame frame : frames) {
            reader.readPage(frame, pooled.clear());
            pooled.flip().get(db, Math.toIntExact((frame.pageNumber() - 1) * pageSize), pageSize);
        }
        return db;
    }

    static byte[] read(Path p) throws IOException {
        return Files.readAllBytes(p);
    }
}
