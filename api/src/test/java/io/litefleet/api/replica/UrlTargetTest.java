package io.litefleet.api.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.replica.ReplicaClientProvider.UrlTarget;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UrlTargetTest {
    @Test
    void cleanPath_normalisesLikeUpstream() {
        assertEquals("a/b", UrlTarget.cleanPath("/a/b/"));
        assertEquals("a/c", UrlTarget.cleanPath("/a/./b/../c"));
        assertEquals("x", UrlTarget.cleanPath("/../x"));
        assertEquals("", UrlTarget.cleanPath(""));
        assertEquals("", UrlTarget.cleanPath("/"));
        assertEquals("a/b", UrlTarget.cleanPath("a//b"));
    }

    @Test
    void path_withSlashAtAnEnd_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new UrlTarget(Map.of(), "/a"));
        assertThrows(IllegalArgumentException.class, () -> new UrlTarget(Map.of(), "a/"));
    }
}
