package io.litefleet.core.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 32-byte header at the start of a {@code -wal} file, validated: a value of this type always has a known
 * magic, format version 3007000, a power-of-two page size from 512 to 65536 and a header checksum that matches
 * bytes 0..23 in the magic's byte order.
 *
 * <p>All fields are stored big-endian in the file whatever the checksum order. The page size is the plain
 * number of bytes, so 65536 is stored as 65536 (unlike the database header, where it is encoded as 1).
 *
 * @param magic              {@link #MAGIC_LITTLE_ENDIAN} or {@link #MAGIC_BIG_ENDIAN}
 * @param formatVersion      always {@link #FORMAT_VERSION}
 * @param pageSize           database page size in bytes
 * @param checkpointSequence incremented by SQLite each time the WAL restarts
 * @param salt1              incremented on every WAL restart
 * @param salt2              a fresh random value on every WAL restart
 * @param checksum1          first word of the checksum over bytes 0..23
 * @param checksum2          second word of the checksum over bytes 0..23
 */
public record WalHeader(int magic, int formatVersion, int pageSize, int checkpointSequence, int salt1, int salt2,
        int checksum1, int checksum2) {
    /** Size of the header in bytes. */
    public static final int SIZE = 32;
    /** Magic selecting little-endian checksum words. */
    public static final int MAGIC_LITTLE_ENDIAN = 0x377f0682;
    /** Magic selecting big-endian checksum words. */
    public static final int MAGIC_BIG_ENDIAN = 0x377f0683;
    /** The only WAL format version SQLite has defined. */
    public static final int FORMAT_VERSION = 3007000;

    /**
     * Validates every field, including the header checksum.
     *
     * @throws IllegalArgumentException naming the first invalid field
     */
    public WalHeader {
        if (magic != MAGIC_LITTLE_ENDIAN && magic != MAGIC_BIG_ENDIAN) {
            throw new IllegalArgumentException(String.format("bad WAL magic 0x%08x", magic));
        }
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported WAL format version " + Integer.toUnsignedString(
                    formatVersion));
        }
        if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("bad WAL page size " + Integer.toUnsignedString(pageSize));
        }
        WalChecksum expected = checksumOf(magic, formatVersion, pageSize, checkpointSequence, salt1, salt2);
        if (!expected.matches(checksum1, checksum2)) {
            throw new IllegalArgumentException(String.format("WAL header checksum %08x/%08x does not match %s",
                    checksum1, checksum2, expected));
        }
    }

    /**
     * Decodes and validates a header from the 32 bytes at {@code buffer}'s position (position unchanged).
     *
     * @throws IllegalArgumentException if fewer than 32 bytes remain or the header is invalid
     */
    public static WalHeader decode(ByteBuffer buffer) {
        if (buffer.remaining() < SIZE) {
            throw new IllegalArgumentException("WAL header needs 32 bytes, got " + buffer.remaining());
        }
        ByteBuffer b = buffer.slice().order(ByteOrder.BIG_ENDIAN);
        return new WalHeader(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20),
                b.getInt(24), b.getInt(28));
    }

    /** The byte order of the checksum words, selected by the magic. */
    public ByteOrder checksumOrder() {
        return magic == MAGIC_BIG_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Size of one frame: 24-byte frame header plus one page. */
    public int frameSize() {
        return WalFrameHeader.SIZE + pageSize;
    }

    /** Whether the given salts are this header's, i.e. belong to the same WAL generation. */
    public boolean sameSalts(int otherSalt1, int otherSalt2) {
        return salt1 == otherSalt1 && salt2 == otherSalt2;
    }

    /** The checksum the frames' chain starts from. */
    WalChecksum checksum() {
        return new WalChecksum(checksum1, checksum2);
    }

    private static WalChecksum checksumOf(int magic, int version, int pageSize, int sequence, int salt1,
            int salt2) {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        b.putInt(magic).putInt(version).putInt(pageSize).putInt(sequence).putInt(salt1).putInt(salt2);
        ByteOrder order = magic == MAGIC_BIG_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return WalChecksum.ZERO.update(b, 0, 24, order);
    }
}
