package io.litefleet.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdHashIndexTest {
    @Test
    void randomAddsAndRemoves_agreeWithAHashMap() {
        // Few distinct hashes force long probe runs, so backward-shift deletion is exercised.
        int n = 5_000;
        int[] keys = new int[n];
        Random r = new Random(42);
        for (int i = 0; i < n; i++) {
            keys[i] = r.nextInt(1 << 20);
        }
        IdHashIndex index = new IdHashIndex(4, id -> keys[id] % 97);
        Map<Integer, Integer> model = new HashMap<>(); // key -> id
        for (int step = 0; step < 40_000; step++) {
            int id = r.nextInt(n);
            if (model.containsValue(id)) {
                assertTrue(index.remove(id));
                model.remove(keys[id]);
            } else if (!model.containsKey(keys[id])) {
                index.add(id, keys[id] % 97);
                model.put(keys[id], id);
            }
            if (step % 997 == 0) {
                for (int k = 0; k < n; k++) {
                    int key = keys[k];
                    int found = index.find(key % 97, x -> keys[x] == key);
                    assertEquals(model.getOrDefault(key, -1), found, "key " + key + " at step " + step);
                }
            }
        }
        assertEquals(model.size(), index.size());
        int absent = (1 << 20) + 5;
        assertEquals(-1, index.find(absent % 97, x -> keys[x] == absent));
        int someId = model.values().iterator().next();
        assertTrue(index.remove(someId));
        assertFalse(index.remove(someId));
    }
}
