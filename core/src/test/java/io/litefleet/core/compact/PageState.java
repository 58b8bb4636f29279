package io.litefleet.core.compact;

import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.ltx.LtxHeader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A database as pages, for tests: what applying LTX files in order yields. Applying a file writes its pages and
 * then cuts the database to the file's commit size, as a restore does.
 */
final class PageState {
    private final TreeMap<Integer, byte[]> pages = new TreeMap<>();
    private int commit;
    private int pageSize;

    PageState copy() {
        PageState s = new PageState();
        pages.forEach((k, v) -> s.pages.put(k, v.clone()));
        s.commit = commit;
        s.pageSize = pageSize;
        return s;
    }

    int commit() {
        return commit;
    }

    Map<Integer, byte[]> pages() {
        return pages;
    }

    void put(int pgno, byte[] page) {
        pages.put(pgno, page);
    }

    void truncate(int newCommit) {
        commit = newCommit;
        pages.tailMap(newCommit, false).clear();
    }

    /** Applies one LTX file, verifying it completely, and returns its header. */
    LtxHeader apply(InputStream in) throws IOException {
        LtxDecoder dec = LtxDecoder.open(in);
        LtxHeader h = dec.header();
        pageSize = h.pageSize();
        byte[] buf = new byte[h.pageSize()];
        for (int pgno; (pgno = dec.readPage(buf)) != 0;) {
            pages.put(pgno, buf.clone());
        }
        dec.finish();
        truncate(h.commit());
        return h;
    }

    /** The database file: pages 1..commit, missing ones (the lock page) as zeros. */
    byte[] toFile(int size) {
        byte[] out = new byte[commit * size];
        pages.forEach((pgno, p) -> System.arraycopy(p, 0, out, (pgno - 1) * size, size));
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PageState s) || s.commit != commit || !s.pages.keySet().equals(pages.keySet())) {
            return false;
        }
        for (var e : pages.entrySet()) {
            if (!Arrays.equals(e.getValue(), s.pages.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return commit;
    }

    @Override
    public String toString() {
        return "PageState(commit=" + commit + ", pages=" + pages.keySet() + ")";
    }
}
