package io.litefleet.core.ltx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Verifies a whole LTX file in one sequential pass with one page buffer: every page is decompressed (the file
 * checksum covers uncompressed pages), the page index and trailer are checked. Stateless and thread-safe.
 */
public final class LtxVerifier {
    private LtxVerifier() {
    }

    /**
     * Verifies {@code file}.
     *
     * @return the outcome; a damaged body is reported in it, not thrown
     * @throws LtxFormatException if not even the header is readable (nothing can be reported)
     * @throws IOException        if the file cannot be read
     */
    public static LtxVerification verify(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return verify(in);
        }
    }

    /** Verifies the file read from {@code in} (not closed); see {@link #verify(Path)}. */
    public static LtxVerification verify(InputStream in) throws IOException {
        LtxDecoder dec = LtxDecoder.open(in);
        byte[] page = new byte[dec.header().pageSize()];
        try {
            while (dec.readPage(page) != 0) {
                // every page is checked as it is read
            }
            LtxTrailer trailer = dec.finish();
            return new LtxVerification(dec.header(), dec.pageCount(), trailer, null);
        } catch (LtxFormatException e) {
            return new LtxVerification(dec.header(), dec.pageCount(), null, e.getMessage());
        }
    }
}
