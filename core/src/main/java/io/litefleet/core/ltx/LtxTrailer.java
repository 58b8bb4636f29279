package io.litefleet.core.ltx;

import java.nio.ByteBuffer;

/**
 * The 16-byte trailer of an LTX file: the rolling database checksum after the file is applied, then the file
 * checksum. The file checksum is {@link Checksums#FLAG} OR the CRC-64/ISO of the header, every page frame with its
 * page data <em>uncompressed</em>, the page index and the first 8 bytes of this trailer.
 *
 * @param postApplyChecksum rolling checksum after applying the file; 0 in no-checksum mode
 * @param fileChecksum      checksum of the file, always flagged
 */
public record LtxTrailer(long postApplyChecksum, long fileChecksum) {
    /** Encoded size in bytes. */
    public static final int SIZE = 16;

    /** Requires a flagged file checksum; the post-apply checksum is checked by {@link #validateFor}. */
    public LtxTrailer {
        if ((fileChecksum & Checksums.FLAG) == 0) {
            throw new IllegalArgumentException("invalid file checksum format: " + Checksums.hex(fileChecksum));
        }
    }

    /** Throws {@link IllegalArgumentException} unless the post-apply checksum suits {@code header}'s mode. */
    public void validateFor(LtxHeader header) {
        String problem = postApplyProblem(header, postApplyChecksum);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** What is wrong with {@code postApply} for {@code header}, or null (ltx's {@code Trailer.Validate} rules). */
    static String postApplyProblem(LtxHeader header, long postApply) {
        if (header.noChecksum()) {
            return postApply == 0 ? null
                    : "post-apply checksum not allowed with the no-checksum flag, got " + Checksums.hex(postApply);
        }
        if (postApply == 0) {
            return "post-apply checksum required";
        }
        if ((postApply & Checksums.FLAG) == 0) {
            return "invalid post-apply checksum format: " + Checksums.hex(postApply);
        }
        if (header.commit() == 0 && postApply != Checksums.EMPTY_DATABASE) {
            return "post-apply checksum of an empty database must be " + Checksums.hex(Checksums.EMPTY_DATABASE)
                    + ", got " + Checksums.hex(postApply);
        }
        return null;
    }

    /** The 16 bytes of this trailer. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(SIZE).putLong(postApplyChecksum).putLong(fileChecksum).array();
    }
}
