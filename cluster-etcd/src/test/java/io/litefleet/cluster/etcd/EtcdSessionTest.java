package io.litefleet.cluster.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Validity on an injected monotonic clock: send time of the last answered keep-alive + TTL - margin. */
class EtcdSessionTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    // near the wrap-around, to check the comparisons are by difference
    private final AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 5 * S);

    @Test
    void validUntilTheSendTimePlusTtlMinusMargin() {
        long sent = clock.get();
        EtcdSession s = new EtcdSession(7, sent, 10, 2 * S, clock::get);
        assertEquals(sent + 8 * S, s.validUntilNanos());
        assertEquals(8 * S, s.remainingNanos());
        clock.addAndGet(8 * S - 1);
        assertTrue(s.valid());
        assertEquals(1, s.remainingNanos());
        clock.addAndGet(1);
        assertFalse(s.valid(), "at send + TTL - margin it is over");
        assertEquals(0, s.remainingNanos());
    }

    @Test
    void aLaterAnswerExtendsItAndAnOlderOneNeverShortensIt() {
        long t0 = clock.get();
        EtcdSession s = new EtcdSession(7, t0, 10, 2 * S, clock::get);
        s.renewed(t0 + 3 * S, 10);
        assertEquals(t0 + 11 * S, s.validUntilNanos());
        s.renewed(t0 + S, 10); // a slow answer to an earlier request
        assertEquals(t0 + 11 * S, s.validUntilNanos());
        clock.addAndGet(9 * S); // lapsed by time would be at 8 s without the renewal
        assertTrue(s.valid());
    }

    @Test
    void endedIsInvalidForGood() {
        EtcdSession s = new EtcdSession(7, clock.get(), 10, 2 * S, clock::get);
        s.end();
        assertFalse(s.valid());
        assertEquals(0, s.remainingNanos(), "ended: no time left although the TTL has not passed");
        s.renewed(clock.get(), 10);
        assertFalse(s.valid(), "a renewal cannot bring an ended lease back");
        assertTrue(s.ended());
    }
}
