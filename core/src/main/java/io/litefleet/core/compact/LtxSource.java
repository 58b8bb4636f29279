package io.litefleet.core.compact;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the bytes of one input LTX file. A merge opens each source once per pass and closes what it opened; a
 * source must yield the same bytes every time (replica objects are immutable).
 */
@FunctionalInterface
public interface LtxSource {
    /** A fresh stream over the whole file, owned and closed by the caller. */
    InputStream open() throws IOException;
}
