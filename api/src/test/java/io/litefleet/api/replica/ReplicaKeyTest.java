package io.litefleet.api.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ReplicaKeyTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "db/ltx/0/0000000000000001-0000000000000001.ltx", "a.b/c..d/e", "é/ü"})
    void check_wellFormedKey_returnsIt(String key) throws ReplicaException {
        assertEquals(key, ReplicaKey.check(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "a//b", "a/", "../x", "a/../b", "a/./b", ".", "a\\b", "a\u0000b", "a\nb"})
    void check_badShape_isInvalidNamingTheKey(String key) {
        ReplicaException e = assertThrows(ReplicaException.class, () -> ReplicaKey.check(key));
        assertEquals(ReplicaFailure.INVALID, e.failure());
        assertTrue(e.getMessage().contains("bad key '"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "db/", "db/ltx/0/00000", "db"})
    void checkPrefix_wellFormedPrefix_returnsIt(String prefix) throws ReplicaException {
        assertEquals(prefix, ReplicaKey.checkPrefix(prefix));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/db", "db//", "../", "a/../"})
    void checkPrefix_badShape_isInvalid(String prefix) {
        assertEquals(ReplicaFailure.INVALID,
                assertThrows(ReplicaException.class, () -> ReplicaKey.checkPrefix(prefix)).failure());
    }

    @Test
    void createdAt_timestampMetadata_winsOverLastModified() {
        Instant created = Instant.parse("2025-01-02T03:04:05.123456789Z");
        PutOptions opts = PutOptions.DEFAULT.withTimestamp(created);
        assertEquals("2025-01-02T03:04:05.123456789Z", opts.metadata().get(PutOptions.TIMESTAMP));
        ObjectInfo info = new ObjectInfo("k", 1, Instant.EPOCH, opts.metadata());
        assertEquals(created, info.createdAt());
        assertEquals(java.util.Optional.of(created), opts.timestamp());
        assertEquals(Instant.EPOCH, ObjectInfo.of("k", 1, Instant.EPOCH).createdAt());
        // Go writes offsets other than Z when the writer's zone is not UTC.
        assertEquals(created, new ObjectInfo("k", 1, Instant.EPOCH,
                Map.of(PutOptions.TIMESTAMP, "2025-01-02T05:04:05.123456789+02:00")).createdAt());
    }

    @Test
    void withTimestamp_writesGoRfc3339Nano_trailingZerosDropped() {
        // Upstream writes time.Format(time.RFC3339Nano): ".12Z" for 120 ms, no fraction for whole seconds.
        assertEquals("2025-01-02T03:04:05.12Z", PutOptions.DEFAULT.withTimestamp(
                Instant.parse("2025-01-02T03:04:05.120Z")).metadata().get(PutOptions.TIMESTAMP));
        assertEquals("2025-01-02T03:04:05Z", PutOptions.DEFAULT.withTimestamp(
                Instant.parse("2025-01-02T03:04:05Z")).metadata().get(PutOptions.TIMESTAMP));
        assertEquals("2025-01-02T03:04:05.1Z", PutOptions.DEFAULT.withTimestamp(
                Instant.parse("2025-01-02T03:04:05.100Z")).metadata().get(PutOptions.TIMESTAMP));
    }

    @Test
    void putOptions_malformedTimestamp_isRejectedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PutOptions.DEFAULT.withMetadata(Map.of(PutOptions.TIMESTAMP, "yesterday")));
        assertTrue(e.getMessage().contains("'yesterday'"), e.getMessage());
    }
}
