package io.litefleet.core.compact;

import java.io.IOException;

/**
 * Inputs of a merge have different page sizes: the database started a new restore chain (its page size changed,
 * or it was replaced) between input {@code index - 1} and input {@code index}. Such files are never merged into
 * one; {@link Maintenance} compacts each side on its own.
 */
public final class PageSizeChangeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int index;

    /** The inputs change page size at {@code index} (from {@code before} to {@code after} bytes). */
    public PageSizeChangeException(int index, int before, int after) {
        super("input files have mismatched page sizes: " + before + " != " + after);
        this.index = index;
    }

    /** The first input with the new page size (at least 1). */
    public int index() {
        return index;
    }
}
