package io.litefleet.core.util;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * An index from 32-bit hashes to dense ids ({@code >= 0}) at a flat 8 bytes an entry: each entry is one
 * {@code long} ({@code hash << 32 | id}) in an exactly sized sorted array, plus a small unsorted buffer of recent
 * additions that is merged in when full. No load factor, no slack: a fleet indexes 100,000+ rows and a cold row
 * must stay a few dozen bytes. The caller keeps whatever identifies an id and says whether an id with a matching
 * hash is the one looked for. Lookups are a binary search plus a scan of the buffer. Not thread-safe.
 */
public final class PackedHashIndex {
    private static final int BUFFER = 1024;
    private long[] sorted = new long[0];
    private final long[] added = new long[BUFFER];
    private int nAdded;
    /** Entries of {@code sorted} removed but not yet compacted away (tombstones). */
    private final long[] removed = new long[BUFFER];
    private int nRemoved;

    /** Entries. */
    public int size() {
        return sorted.length - nRemoved + nAdded;
    }

    /** The first id with {@code hash} that {@code matches} accepts, or -1. */
    public int find(int hash, IntPredicate matches) {
        for (int i = lowerBound(pack(hash, 0)); i < sorted.length && hashOf(sorted[i]) == hash; i++) {
            if (!isRemoved(sorted[i]) && matches.test(idOf(sorted[i]))) {
                return idOf(sorted[i]);
            }
        }
        for (int i = 0; i < nAdded; i++) {
            if (hashOf(added[i]) == hash && matches.test(idOf(added[i]))) {
                return idOf(added[i]);
            }
        }
        return -1;
    }

    /** Adds {@code id} under {@code hash}. */
    public void add(int id, int hash) {
        if (id < 0) {
            throw new IllegalArgumentException("id must be >= 0, got " + id);
        }
        if (nAdded == BUFFER) {
            flush();
        }
        added[nAdded++] = pack(hash, id);
    }

    /**
     * Removes {@code id}, added under {@code hash}; returns whether it was present. Amortised cost: removals from
     * the sorted part are remembered and compacted away together, one pass per {@value #BUFFER}.
     */
    public boolean remove(int id, int hash) {
        long key = pack(hash, id);
        for (int i = 0; i < nAdded; i++) {
            if (added[i] == key) {
                added[i] = added[--nAdded];
                return true;
            }
        }
        int i = lowerBound(key);
        if (i >= sorted.length || sorted[i] != key || isRemoved(key)) {
            return false;
        }
        if (nRemoved == BUFFER) {
            flush();
            return remove(id, hash);
        }
        removed[nRemoved++] = key;
        return true;
    }

    /** Compacts the tombstones away, then merges the recent additions in: one exactly sized sorted array. */
    private void flush() {
        Arrays.sort(removed, 0, nRemoved);
        Arrays.sort(added, 0, nAdded);
        long[] out = new long[sorted.length - nRemoved + nAdded];
        int r = 0;
        int b = 0;
        int o = 0;
        for (long e : sorted) {
            if (r < nRemoved && removed[r] == e) {
                r++; // keys are unique in the sorted part, so one tombstone cancels one entry
                continue;
            }
            while (b < nAdded && added[b] < e) {
                out[o++] = added[b++];
            }
            out[o++] = e;
        }
        while (b < nAdded) {
            out[o++] = added[b++];
        }
        sorted = out;
        nAdded = 0;
        nRemoved = 0;
    }

    private boolean isRemoved(long key) {
        for (int i = 0; i < nRemoved; i++) {
            if (removed[i] == key) {
                return true;
            }
        }
        return false;
    }

    /** The first index whose entry is {@code >= key}. */
    private int lowerBound(long key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static long pack(int hash, int id) {
        return (long) hash << 32 | (id & 0xFFFF_FFFFL);
    }

    private static int hashOf(long entry) {
        return (int) (entry >> 32);
    }

    private static int idOf(long entry) {
        return (int) entry;
    }
}
