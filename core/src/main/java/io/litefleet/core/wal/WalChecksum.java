package io.litefleet.core.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The running checksum pair (s0, s1) of the WAL format: for each pair of 32-bit words (x0, x1) in the checksummed
 * bytes, {@code s0 += x0 + s1; s1 += x1 + s0}, with unsigned 32-bit wrap-around. The words are read in the byte
 * order the header's magic selects (sqlite.org/fileformat2.html, "WAL checksum algorithm").
 *
 * @param s0 the first checksum word
 * @param s1 the second checksum word
 */
record WalChecksum(int s0, int s1) {
    /** The seed the header checksum starts from. */
    static final WalChecksum ZERO = new WalChecksum(0, 0);

    /**
     * Continues this checksum over {@code length} bytes of {@code buffer} starting at absolute index {@code from};
     * the buffer's position, limit and order are left unchanged.
     *
     * @throws IllegalArgumentException if length is not a multiple of 8 (the format only checksums such runs)
     */
    WalChecksum update(ByteBuffer buffer, int from, int length, ByteOrder order) {
        if (length % 8 != 0) {
            throw new IllegalArgumentException("WAL checksums cover multiples of 8 bytes, not " + length);
        }
        ByteBuffer words = buffer.duplicate().order(order);
        int a = s0;
        int b = s1;
        for (int i = from, end = from + length; i < end; i += 8) {
            a += words.getInt(i) + b;
            b += words.getInt(i + 4) + a;
        }
        return new WalChecksum(a, b);
    }

    /** Whether this pair equals the stored words {@code c1} and {@code c2}. */
    boolean matches(int c1, int c2) {
        return s0 == c1 && s1 == c2;
    }

    @Override
    public String toString() {
        return String.format("%08x/%08x", s0, s1);
    }
}
