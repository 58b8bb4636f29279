package io.litefleet.core.ltx;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The 100-byte header of an LTX file, format version 3 (magic {@code LTX1}), as github.com/superfly/ltx v0.5.2
 * writes it: big-endian fields in the order below, then reserved zero bytes up to 100.
 *
 * <p>The compact constructor enforces the rules ltx's {@code Header.Validate} enforces, so an instance is always a
 * header the Go decoder accepts: page size a power of two in 512..65536, TXIDs non-zero and ordered, WAL fields
 * consistent, and the pre-apply checksum zero on snapshots and in {@link #FLAG_NO_CHECKSUM} mode, flagged
 * otherwise. TXIDs are unsigned 64-bit values carried in {@code long}s; page numbers and commit sizes must fit a
 * non-negative {@code int} (2^31-1 pages; SQLite's own limit is 2^32-2).
 *
 * @param flags            header flags; only {@link #FLAG_NO_CHECKSUM} is defined
 * @param pageSize         database page size in bytes
 * @param commit           database size in pages after this file is applied (0 = database deleted)
 * @param minTxid          first transaction in the file; 1 means the file is a snapshot
 * @param maxTxid          last transaction in the file
 * @param timestamp        creation time, milliseconds since the Unix epoch
 * @param preApplyChecksum rolling database checksum before applying the file, or 0 (see above)
 * @param walOffset        offset of the source WAL segment, 0 if not from a WAL
 * @param walSize          size of the source WAL segment, 0 if not from a WAL
 * @param walSalt1         WAL header salt-1, 0 if not from a WAL
 * @param walSalt2         WAL header salt-2, 0 if not from a WAL
 * @param nodeId           id of the node that wrote the file, 0 if unset
 */
public record LtxHeader(int flags, int pageSize, int commit, long minTxid, long maxTxid, long timestamp,
        long preApplyChecksum, long walOffset, long walSize, int walSalt1, int walSalt2, long nodeId) {

    /** The first four bytes of every LTX file. */
    public static final String MAGIC = "LTX1";
    /** The format version this codec reads and writes. */
    public static final int VERSION = 3;
    /** Encoded size in bytes. */
    public static final int SIZE = 100;
    /** Flag: the rolling database checksum is not tracked; pre/post-apply checksums are zero. */
    public static final int FLAG_NO_CHECKSUM = 1 << 1;

    private static final int FLAG_MASK = FLAG_NO_CHECKSUM;
    private static final int PENDING_BYTE = 0x40000000;
    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);

    /** Validates every field; throws {@link IllegalArgumentException} naming the first bad one. */
    public LtxHeader {
        require((flags & ~FLAG_MASK) == 0, "invalid flags: 0x%08x", flags);
        require(isValidPageSize(pageSize), "invalid page size: %d", pageSize);
        require(commit >= 0, "commit of %s pages is beyond what this codec supports", Integer.toUnsignedString(commit));
        require(minTxid != 0, "minimum transaction id required");
        require(maxTxid != 0, "maximum transaction id required");
        require(Long.compareUnsigned(minTxid, maxTxid) <= 0, "transaction ids out of order: (%s,%s)",
                Long.toUnsignedString(minTxid), Long.toUnsignedString(maxTxid));
        require(walOffset >= 0, "wal offset cannot be negative: %d", walOffset);
        require(walSize >= 0, "wal size cannot be negative: %d", walSize);
        require(walOffset != 0 || (walSalt1 == 0 && walSalt2 == 0), "wal offset required if salt exists");
        require(walOffset != 0 || walSize == 0, "wal offset required if wal size exists");
        validatePreApply(minTxid == 1, (flags & FLAG_NO_CHECKSUM) != 0, preApplyChecksum);
    }

    private static void validatePreApply(boolean snapshot, boolean noChecksum, long preApply) {
        if (snapshot) {
            require(preApply == 0, "pre-apply checksum must be zero on snapshots, got %016x", preApply);
        } else if (noChecksum) {
            require(preApply == 0, "pre-apply checksum not allowed with the no-checksum flag, got %016x", preApply);
        } else {
            require(preApply != 0, "pre-apply checksum required on non-snapshot files");
            require((preApply & Checksums.FLAG) != 0, "invalid pre-apply checksum format: %016x", preApply);
        }
    }

    /** A builder with every field zero except page size 4096 and TXIDs 1..1. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the file holds the whole database (it starts at TXID 1). */
    public boolean isSnapshot() {
        return minTxid == 1;
    }

    /** Whether the rolling database checksum is not tracked ({@link #FLAG_NO_CHECKSUM}). */
    public boolean noChecksum() {
        return (flags & FLAG_NO_CHECKSUM) != 0;
    }

    /** The page holding SQLite's pending byte, which never appears in an LTX file. */
    public int lockPgno() {
        return lockPgno(pageSize);
    }

    /** The lock page for {@code pageSize}: the page holding byte offset 2^30. */
    public static int lockPgno(int pageSize) {
        return PENDING_BYTE / pageSize + 1;
    }

    /** Whether {@code size} is a power of two between 512 and 65536. */
    public static boolean isValidPageSize(int size) {
        return size >= 512 && size <= 65536 && Integer.bitCount(size) == 1;
    }

    /** The 100 bytes of this header. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(MAGIC_BYTES).putInt(flags).putInt(pageSize).putInt(commit).putLong(minTxid).putLong(maxTxid)
                .putLong(timestamp).putLong(preApplyChecksum).putLong(walOffset).putLong(walSize)
                .putInt(walSalt1).putInt(walSalt2).putLong(nodeId);
        return b.array();
    }

    /** Parses the first 100 bytes of {@code b}, checking magic and every field. */
    public static LtxHeader parse(byte[] b) throws LtxFormatException {
        if (b.length < SIZE) {
            throw new LtxFormatException("truncated header: " + b.length + " of " + SIZE + " bytes");
        }
        if (!Arrays.equals(b, 0, 4, MAGIC_BYTES, 0, 4)) {
            throw new LtxFormatException("bad magic: expected " + MAGIC + ", found 0x"
                    + java.util.HexFormat.of().formatHex(b, 0, 4) + " (not an LTX v" + VERSION + " file)");
        }
        ByteBuffer in = ByteBuffer.wrap(b, 4, SIZE - 4);
        try {
            return new LtxHeader(in.getInt(), in.getInt(), in.getInt(), in.getLong(), in.getLong(), in.getLong(),
                    in.getLong(), in.getLong(), in.getLong(), in.getInt(), in.getInt(), in.getLong());
        } catch (IllegalArgumentException e) {
            throw new LtxFormatException("invalid header: " + e.getMessage(), e);
        }
    }

    private static void require(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    /** Mutable builder for {@link LtxHeader}; not thread-safe. */
    public static final class Builder {
        private int flags;
        private int pageSize = 4096;
        private int commit;
        private long minTxid = 1;
        private long maxTxid = 1;
        private long timestamp;
        private long preApplyChecksum;
        private long walOffset;
        private long walSize;
        private int walSalt1;
        private int walSalt2;
        private long nodeId;

        private Builder() {
        }

        /** Sets the flags. */
        public Builder flags(int v) {
            flags = v;
            return this;
        }

        /** Sets or clears {@link #FLAG_NO_CHECKSUM}. */
        public Builder noChecksum(boolean v) {
            flags = v ? flags | FLAG_NO_CHECKSUM : flags & ~FLAG_NO_CHECKSUM;
            return this;
        }

        /** Sets the page size. */
        public Builder pageSize(int v) {
            pageSize = v;
            return this;
        }

        /** Sets the commit size in pages. */
        public Builder commit(int v) {
            commit = v;
            return this;
        }

        /** Sets the TXID range. */
        public Builder txids(long min, long max) {
            minTxid = min;
            maxTxid = max;
            return this;
        }

        /** Sets the timestamp in epoch milliseconds. */
        public Builder timestamp(long v) {
            timestamp = v;
            return this;
        }

        /** Sets the pre-apply checksum. */
        public Builder preApplyChecksum(long v) {
            preApplyChecksum = v;
            return this;
        }

        /** Sets the WAL segment offset, size and salts. */
        public Builder wal(long offset, long size, int salt1, int salt2) {
            walOffset = offset;
            walSize = size;
            walSalt1 = salt1;
            walSalt2 = salt2;
            return this;
        }

        /** Sets the node id. */
        public Builder nodeId(long v) {
            nodeId = v;
            return this;
        }

        /** The validated header. */
        public LtxHeader build() {
            return new LtxHeader(flags, pageSize, commit, minTxid, maxTxid, timestamp, preApplyChecksum, walOffset,
                    walSize, walSalt1, walSalt2, nodeId);
        }
    }
}
