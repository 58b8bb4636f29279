package io.litefleet.core.ltx;

/**
 * Streaming CRC-64 with the ISO 3309 polynomial in the reflected form and the pre/post inversion that Go's
 * {@code hash/crc64} applies (catalogued as CRC-64/GO-ISO, check value {@code b90956c775a41001}). LTX uses it
 * for the file checksum and for every page checksum. Slicing-by-8 keeps it near memory speed.
 *
 * <p>Not thread-safe; one instance per stream.
 */
final class Crc64 {
    private static final long POLY_REFLECTED = 0xD800000000000000L;
    private static final long[][] TABLES = buildTables();

    private long crc;

    /** Adds {@code len} bytes of {@code b} from {@code off}. */
    void update(byte[] b, int off, int len) {
        crc = update(crc, b, off, len);
    }

    /** Adds all of {@code b}. */
    void update(byte[] b) {
        update(b, 0, b.length);
    }

    /** The CRC of everything added so far. */
    long value() {
        return crc;
    }

    /** Starts over. */
    void reset() {
        crc = 0;
    }

    /** Continues the CRC {@code current} (a previous {@link #value()}, or 0 for none) over a byte range. */
    static long update(long current, byte[] b, int off, int len) {
        long c = ~current;
        long[][] t = TABLES;
        int end = off + len;
        int i = off;
        for (; end - i >= 8; i += 8) {
            c ^= (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                    | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48
                    | (b[i + 7] & 0xFFL) << 56;
            c = t[7][(int) c & 0xFF] ^ t[6][(int) (c >>> 8) & 0xFF] ^ t[5][(int) (c >>> 16) & 0xFF]
                    ^ t[4][(int) (c >>> 24) & 0xFF] ^ t[3][(int) (c >>> 32) & 0xFF] ^ t[2][(int) (c >>> 40) & 0xFF]
                    ^ t[1][(int) (c >>> 48) & 0xFF] ^ t[0][(int) (c >>> 56)];
        }
        for (; i < end; i++) {
            c = t[0][(int) (c ^ b[i]) & 0xFF] ^ (c >>> 8);
        }
        return ~c;
    }

    private static long[][] buildTables() {
        long[][] t = new long[8][256];
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            t[0][n] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int n = 0; n < 256; n++) {
                long prev = t[k - 1][n];
                t[k][n] = t[0][(int) prev & 0xFF] ^ (prev >>> 8);
            }
        }
        return t;
    }
}
