package io.litefleet.api.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The timestamp every put carries: written as upstream writes it, read back exactly, bad values named. */
class PutOptionsTest {
    @Test
    void timestamp_roundTripsEveryPrecision_asWritten() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 10_000; i++) {
            int unit = (int) Math.pow(10, random.nextInt(10)); // 0 to 9 fraction digits
            Instant t = Instant.ofEpochSecond(random.nextLong(0, 253_402_300_799L), // up to 9999-12-31T23:59:59
                    random.nextInt(1_000_000_000) / unit * unit);
            PutOptions o = PutOptions.DEFAULT.withTimestamp(t);
            assertEquals(t, o.timestamp().orElseThrow(), "seed " + seed + ": " + o.metadata());
        }
        assertEquals("2025-01-02T03:04:05Z", PutOptions.DEFAULT.withTimestamp(
                Instant.parse("2025-01-02T03:04:05Z")).metadata().get(PutOptions.TIMESTAMP));
        assertEquals("2025-01-02T03:04:05.12Z", PutOptions.DEFAULT.withTimestamp(
                Instant.parse("2025-01-02T03:04:05.120Z")).metadata().get(PutOptions.TIMESTAMP));
    }

    @Test
    void timestamp_withAnOffset_isReadByTheGeneralParser() {
        PutOptions o = new PutOptions(false, Map.of(PutOptions.TIMESTAMP, "2025-01-02T05:04:05.5+02:00"));
        assertEquals(Instant.parse("2025-01-02T03:04:05.500Z"), o.timestamp().orElseThrow());
    }

    @Test
    void badTimestamps_areRejected_namingTheValue() {
        for (String bad : new String[] {"2025-02-30T03:04:05Z", "2025-01-02 03:04:05Z",
                "2025-01-02T03:04:05.1234567890Z", "2025-01-02T24:00:00Z", "2025-0a-02T03:04:05Z", "yesterday"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PutOptions(false, Map.of(PutOptions.TIMESTAMP, bad)), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void owner_addsInstanceAndToken_keepingTimestampConditionAndGuard() throws Exception {
        int[] checks = {0};
        PutOptions o = PutOptions.createOnly().withGuard(() -> checks[0]++)
                .withTimestamp(Instant.parse("2025-01-02T03:04:05Z")).withOwner("host-a", 42);
        assertEquals(Map.of(PutOptions.TIMESTAMP, "2025-01-02T03:04:05Z", PutOptions.OWNER_INSTANCE, "host-a",
                PutOptions.OWNER_TOKEN, "42"), o.metadata());
        assertTrue(o.ifAbsent());
        o.guard().check();
        assertEquals(1, checks[0], "the guard survives every with-method");
    }

    @Test
    void owner_withoutInstanceOrToken_isRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PutOptions.DEFAULT.withOwner("host-a", 0))
                .getMessage().contains("'host-a' and 0"));
        assertThrows(IllegalArgumentException.class, () -> PutOptions.DEFAULT.withOwner(" ", 3));
    }

    @Test
    void defaults_haveNoGuardToCheck_andTwoArgumentOptionsKeepIt() {
        assertEquals(PutOptions.Guard.NONE, PutOptions.DEFAULT.guard());
        assertEquals(PutOptions.Guard.NONE, new PutOptions(true, Map.of()).guard());
    }
}
