package io.litefleet.core.util;

import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * A hash index over dense ids ({@code 0..n}) that keeps no keys: only an {@code int[]} of ids, at most 75% full,
 * linear probing with backward-shift deletion. The caller keeps whatever identifies an id and answers two
 * questions: the 32-bit hash of an id (to rehash or delete) and whether an id is the one looked for. About 5 to 10
 * bytes an entry, which is the point: a fleet indexes 100,000+ rows. Not thread-safe.
 */
public final class IdHashIndex {
    private static final int EMPTY = -1;
    private final IntUnaryOperator hashOf;
    private int[] slots;
    private int size;

    /**
     * @param expected entries to size for (it grows beyond)
     * @param hashOf   the hash of an id already added; must equal the hash it was added with
     */
    public IdHashIndex(int expected, IntUnaryOperator hashOf) {
        this.hashOf = hashOf;
        this.slots = empty(capacityFor(expected));
    }

    /** Entries. */
    public int size() {
        return size;
    }

    /** Slots allocated (for measurement). */
    public int capacity() {
        return slots.length;
    }

    /** The first id with {@code hash} that {@code matches} accepts, or -1. */
    public int find(int hash, IntPredicate matches) {
        int mask = slots.length - 1;
        for (int i = home(hash, mask); slots[i] != EMPTY; i = (i + 1) & mask) {
            int id = slots[i];
            if (hashOf.applyAsInt(id) == hash && matches.test(id)) {
                return id;
            }
        }
        return EMPTY;
    }

    /** Adds {@code id} under {@code hash} (the id must not be present). */
    public void add(int id, int hash) {
        if (id < 0) {
            throw new IllegalArgumentException("id must be >= 0, got " + id);
        }
        if ((long) (size + 1) * 4 > (long) slots.length * 3) {
            int[] old = slots;
            slots = empty(old.length * 2);
            for (int other : old) {
                if (other != EMPTY) {
                    place(other, hashOf.applyAsInt(other));
                }
            }
        }
        place(id, hash);
        size++;
    }

    /** Removes {@code id} (found through its current hash); returns whether it was present. */
    public boolean remove(int id) {
        int mask = slots.length - 1;
        int i = home(hashOf.applyAsInt(id), mask);
        while (slots[i] != id) {
            if (slots[i] == EMPTY) {
                return false;
            }
            i = (i + 1) & mask;
        }
        size--;
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != EMPTY; j = (j + 1) & mask) {
            int h = home(hashOf.applyAsInt(slots[j]), mask);
            if (((j - h) & mask) >= ((j - hole) & mask)) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = EMPTY;
        return true;
    }

    private void place(int id, int hash) {
        int mask = slots.length - 1;
        int i = home(hash, mask);
        while (slots[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        slots[i] = id;
    }

    private static int home(int hash, int mask) {
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    private static int capacityFor(int expected) {
        int cap = 16;
        while ((long) cap * 3 < (long) expected * 4) {
            cap <<= 1;
        }
        return cap;
    }

    private static int[] empty(int n) {
        int[] a = new int[n];
        Arrays.fill(a, EMPTY);
        return a;
    }
}
