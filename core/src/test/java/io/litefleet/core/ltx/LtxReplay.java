package io.litefleet.core.ltx;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Rebuilds a database by applying a replica's level-0 LTX files in TXID order with {@link LtxDecoder}. */
final class LtxReplay {
    private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.ltx");

    private LtxReplay() {
    }

    /** The level-0 files of a file replica, ordered by min TXID. */
    static List<Path> level0(Path replica) throws IOException {
        Path dir = replica.resolve("ltx").resolve("0");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /**
     * Applies {@code files} (a snapshot, then contiguous files) to a new database at {@code out} and returns the
     * headers read. Every file is fully verified (file checksum, page index, trailer).
     */
    static List<LtxHeader> apply(List<Path> files, Path out) throws IOException {
        List<LtxHeader> headers = new ArrayList<>();
        try (RandomAccessFile db = new RandomAccessFile(out.toFile(), "rw")) {
            db.setLength(0);
            long nextTxid = 1;
            for (Path f : files) {
                LtxHeader h = applyOne(f, db);
                if (h.minTxid() > nextTxid || h.maxTxid() < nextTxid) {
                    throw new IOException(f + " does not continue at TXID " + nextTxid);
                }
                nextTxid = h.maxTxid() + 1;
                headers.add(h);
            }
        }
        return headers;
    }

    private static LtxHeader applyOne(Path f, RandomAccessFile db) throws IOException {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (!m.matches()) {
            throw new IOException("not an LTX file name: " + f);
        }
        try (InputStream in = Files.newInputStream(f)) {
            LtxDecoder dec = LtxDecoder.open(in);
            LtxHeader h = dec.header();
            if (h.minTxid() != Long.parseUnsignedLong(m.group(1), 16)
                    || h.maxTxid() != Long.parseUnsignedLong(m.group(2), 16)) {
                throw new IOException(f + " header TXIDs do not match its name");
            }
            byte[] page = new byte[h.pageSize()];
            for (int pgno; (pgno = dec.readPage(page)) != 0;) {
                db.seek((long) (pgno - 1) * h.pageSize());
                db.write(page);
            }
            dec.finish();
            db.setLength((long) h.commit() * h.pageSize());
            return h;
        }
    }
}
