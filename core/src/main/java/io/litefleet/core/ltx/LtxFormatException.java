package io.litefleet.core.ltx;

import java.io.IOException;

/**
 * An LTX file is malformed: bad magic or version, invalid header fields, truncation, an inconsistent page index
 * or a checksum mismatch. The message names what is wrong and, where it helps, the byte offset and both values.
 */
public final class LtxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An error with the given message. */
    public LtxFormatException(String message) {
        super(message);
    }

    /** An error with the given message and cause. */
    public LtxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
