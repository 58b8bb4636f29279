package io.litefleet.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedHashIndexTest {
    /** Few distinct hashes (negative ones included) so equal-hash runs span the buffer and the sorted part. */
    private static int hashOf(int key) {
        return (key % 97) - 48;
    }

    @Test
    void randomAddsAndRemoves_agreeWithAHashMap() {
        int n = 5_000;
        int[] keys = new int[n];
        Random r = new Random(42);
        for (int i = 0; i < n; i++) {
            keys[i] = r.nextInt(1 << 20);
        }
        PackedHashIndex index = new PackedHashIndex();
        Map<Integer, Integer> model = new HashMap<>(); // key -> id
        for (int step = 0; step < 40_000; step++) {
            int id = r.nextInt(n);
            if (model.get(keys[id]) != null && model.get(keys[id]) == id) {
                assertTrue(index.remove(id, hashOf(keys[id])));
                model.remove(keys[id]);
            } else if (!model.containsKey(keys[id])) {
                index.add(id, hashOf(keys[id]));
                model.put(keys[id], id);
            }
            if (step % 997 == 0) {
                for (int k = 0; k < n; k++) {
                    int key = keys[k];
                    int found = index.find(hashOf(key), x -> keys[x] == key);
                    assertEquals(model.getOrDefault(key, -1), found, "key " + key + " at step " + step);
                }
            }
        }
        assertEquals(model.size(), index.size());
        int absent = (1 << 20) + 5;
        assertEquals(-1, index.find(hashOf(absent), x -> keys[x] == absent));
        int someId = model.values().iterator().next();
        assertTrue(index.remove(someId, hashOf(keys[someId])));
        assertFalse(index.remove(someId, hashOf(keys[someId])));
    }

    @Test
    void extremeHashesAndIds_roundTrip() {
        PackedHashIndex index = new PackedHashIndex();
        int[] hashes = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE};
        for (int i = 0; i < 3000; i++) {
            index.add(Integer.MAX_VALUE - i, hashes[i % hashes.length]);
        }
        for (int i = 0; i < 3000; i++) {
            int id = Integer.MAX_VALUE - i;
            assertEquals(id, index.find(hashes[i % hashes.length], x -> x == id));
        }
    }

    @Test
    void removingEverything_thenAddingBack_leavesExactlyTheNewEntries() {
        PackedHashIndex index = new PackedHashIndex();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            index.add(i, hashOf(i));
        }
        for (int i = 0; i < n; i++) {
            assertTrue(index.remove(i, hashOf(i)), "remove " + i);
            assertFalse(index.remove(i, hashOf(i)), "removed twice " + i);
        }
        assertEquals(0, index.size());
        for (int i = 0; i < n; i += 3) {
            index.add(i, hashOf(i));
        }
        for (int i = 0; i < n; i++) {
            int id = i;
            assertEquals(i % 3 == 0 ? i : -1, index.find(hashOf(i), x -> x == id), "find " + i);
        }
        assertEquals((n + 2) / 3, index.size());
    }
}
