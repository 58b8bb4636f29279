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
    private final long[] buffer = new long[BUFFER];
    private int buffered;

    /** Entries. */
    public int size() {
        return sorted.length + buffered;
    }

    /** The first id with {@code hash} that {@code matches} accepts, or -1. */
    public int find(int hash, IntPredicate matches) {
        for (int i = lowerBound(pack(hash, 0)); i < sorted.length && hashOf(sorted[i]) == hash; i++) {
            if (matches.test(idOf(sorted[i]))) {
                return idOf(sorted[i]);
            }
        }
        for (int i = 0; i < buffered; i++) {
            if (hashOf(buffer[i]) == hash && matches.test(idOf(buffer[i]))) {
                return idOf(buffer[i]);
            }
        }
        return -1;
    }

    /** Adds {@code id} under {@code hash}. */
    public void add(int id, int hash) {
        if (id < 0) {
            throw new IllegalArgumentException("id must be >= 0, got " + id);
        }
        if (buffered == BUFFER) {
            merge();
        }
        buffer[buffered++] = pack(hash, id);
    }

    /** Removes {@code id}, added under {@code hash}; returns whether it was present. */
    public boolean remove(int id, int hash) {
        long key = pack(hash, id);
        for (int i = 0; i < buffered; i++) {
            if (buffer[i] == key) {
                buffer[i] = buffer[--buffered];
                return true;
            }
        }
        int i = lowerBound(key);
        if (i < sorted.length && sorted[i] == key) {
            long[] smaller = new long[sorted.length - 1];
            System.arraycopy(sorted, 0, smaller, 0, i);
            System.arraycopy(sorted, i + 1, smaller, i, sorted.length - i - 1);
            sorted = smaller;
            return true;
        }
        return false;
    }

    private void merge() {
        Arrays.sort(buffer, 0, buffered);
        long[] out = new long[sorted.length + buffered];
        int a = 0;
        int b = 0;
        int o = 0;
        while (a < sorted.length && b < buffered) {
            out[o++] = sorted[a] <= buffer[b] ? sorted[a++] : buffer[b++];
        }
        while (a < sorted.length) {
            out[o++] = sorted[a++];
        }
        while (b < buffered) {
            out[o++] = buffer[b++];
        }
        sorted = out;
        buffered = 0;
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
