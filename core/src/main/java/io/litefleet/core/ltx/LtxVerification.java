package io.litefleet.core.ltx;

import java.util.Objects;

/**
 * The outcome of {@link LtxVerifier#verify}: the header and either the trailer (valid file) or what is wrong.
 *
 * @param header    the file's validated header
 * @param pageCount pages read (all of them when valid, those before the problem otherwise)
 * @param trailer   the verified trailer, or null when the file is invalid
 * @param problem   what is wrong, or null when the file is valid
 */
public record LtxVerification(LtxHeader header, int pageCount, LtxTrailer trailer, String problem) {
    /** Requires a header and exactly one of trailer and problem. */
    public LtxVerification {
        Objects.requireNonNull(header, "header");
        if ((trailer == null) == (problem == null)) {
            throw new IllegalArgumentException("exactly one of trailer and problem must be given");
        }
    }

    /** Whether the file is valid. */
    public boolean isValid() {
        return trailer != null;
    }
}
