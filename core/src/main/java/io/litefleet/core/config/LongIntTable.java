package io.litefleet.core.config;

/**
 * An open-addressing map from non-zero {@code long} keys to non-negative {@code int} values: 12 bytes a slot, at
 * most 75% full, linear probing with backward-shift deletion (no tombstones). Not thread-safe.
 */
final class LongIntTable {
    private static final int ABSENT = -1;
    private long[] keys;
    private int[] values;
    private int size;

    LongIntTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, (int) (expected / 0.75) + 1) - 1) << 1;
        keys = new long[cap];
        values = new int[cap];
    }

    int size() {
        return size;
    }

    /** The value for {@code key}, or -1. */
    int get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return ABSENT;
    }

    /** Sets {@code key} to {@code value}. */
    void put(long key, int value) {
        requireKey(key);
        if (value < 0) {
            throw new IllegalArgumentException("value must be >= 0");
        }
        if (size + 1 > keys.length * 3L / 4) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == 0) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Removes {@code key}; returns its value, or -1. */
    int remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != key) {
            if (keys[i] == 0) {
                return ABSENT;
            }
            i = (i + 1) & mask;
        }
        int old = values[i];
        size--;
        // Backward shift: move later entries of the probe run into the hole when their home slot allows it.
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        return old;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int slot(long key, int mask) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    private static void requireKey(long key) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0 is reserved");
        }
    }
}
