package io.litefleet.core.ltx;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

/**
 * LTX checksums. A page checksum is the CRC-64/ISO of the page number (4 bytes, big-endian) followed by the page
 * bytes, with {@link #FLAG} set. The rolling database checksum is {@link #FLAG} OR the XOR of the checksums of all
 * its pages, so a changed page is accounted for by XOR-ing out its old checksum and XOR-ing in the new one. An
 * empty database has checksum {@link #EMPTY_DATABASE}. The flag bit makes every valid checksum non-zero, so
 * zero can mean "not tracked".
 *
 * <p>Stateless and thread-safe.
 */
public final class Checksums {
    /** Bit 63, set on every valid LTX checksum. */
    public static final long FLAG = 1L << 63;
    /** The rolling checksum of a database with no pages. */
    public static final long EMPTY_DATABASE = FLAG;

    private Checksums() {
    }

    /** The checksum of page {@code pgno} holding {@code data} (the whole array is the page). */
    public static long page(int pgno, byte[] data) {
        return page(pgno, data, 0, data.length);
    }

    /** The checksum of page {@code pgno} whose bytes are {@code data[off, off+len)}. */
    public static long page(int pgno, byte[] data, int off, int len) {
        byte[] be = {(byte) (pgno >>> 24), (byte) (pgno >>> 16), (byte) (pgno >>> 8), (byte) pgno};
        long crc = Crc64.update(0, be, 0, 4);
        return FLAG | Crc64.update(crc, data, off, len);
    }

    /** Adds a page checksum to (or removes it from) a rolling database checksum. */
    public static long combine(long rolling, long pageChecksum) {
        return FLAG | (rolling ^ pageChecksum);
    }

    /** The rolling checksum after page content {@code oldPage} was replaced by content {@code newPage}. */
    public static long replace(long rolling, long oldPageChecksum, long newPageChecksum) {
        return combine(combine(rolling, oldPageChecksum), newPageChecksum);
    }

    /**
     * The rolling checksum of a whole database file read from {@code in} (not closed), page by page from page 1.
     * The lock page is left out, as ltx's decoder leaves it out when it checks a snapshot (decoder.go:221-225);
     * ltx's {@code ChecksumReader} includes it, which only differs for databases past 1 GiB. A trailing partial
     * page is an error.
     */
    public static long database(InputStream in, int pageSize) throws IOException {
        byte[] page = new byte[pageSize];
        long rolling = EMPTY_DATABASE;
        int lockPgno = LtxHeader.lockPgno(pageSize);
        for (int pgno = 1;; pgno++) {
            int n = in.readNBytes(page, 0, pageSize);
            if (n == 0) {
                return rolling;
            }
            if (n != pageSize) {
                throw new LtxFormatException("database ends with a partial page " + pgno + " (" + n + " bytes)");
            }
            if (pgno != lockPgno) {
                rolling = combine(rolling, page(pgno, page));
            }
        }
    }

    /** The CRC-64/ISO (Go {@code crc64.ISO}) of a byte range, without the flag. */
    public static long crc64(byte[] data, int off, int len) {
        return Crc64.update(0, data, off, len);
    }

    /** Fixed-width lowercase hex, as ltx prints checksums. */
    public static String hex(long checksum) {
        return HexFormat.of().toHexDigits(checksum);
    }
}
