package io.litefleet.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory coordinator behaves as the SPI says, so later tests can rely on it. */
class InMemoryCoordinatorTest {
    private static final Duration VALIDITY = Duration.ofSeconds(8);
    private static final Ownable DB = new Ownable("s3://b/db", "/data/db.db");

    private final InMemoryCoordinator.Service service = new InMemoryCoordinator.Service();
    private final InMemoryCoordinator a = service.join("host-a", VALIDITY);
    private final InMemoryCoordinator b = service.join("host-b", VALIDITY);

    @Test
    void claim_firstWins_theOtherSeesTheHolder_andTheTokenGrowsOnHandover() throws Exception {
        Claim.Owned first = (Claim.Owned) a.claim(List.of(DB)).get(0);
        assertEquals(new Claim.HeldBy(DB.location(), "host-a", first.token()), b.claim(List.of(DB)).get(0));
        assertEquals(first, a.claim(List.of(DB)).get(0), "claiming again under the same session keeps the token");

        a.release(DB, first.token());
        Claim.Owned second = (Claim.Owned) b.claim(List.of(DB)).get(0);
        assertTrue(second.token() > first.token());
        assertEquals("host-b", service.owner(DB.location()).orElseThrow().instance());
    }

    @Test
    void validity_passesOnTheInstancesOwnClock_andAKeepAliveRestoresIt() throws Exception {
        List<String> events = record(a);
        Session s = a.session();
        a.advance(VALIDITY.minusNanos(1));
        assertTrue(s.valid());
        a.advance(Duration.ofNanos(1));
        assertFalse(s.valid());
        assertThrows(CoordinationException.class, () -> a.claim(List.of(DB)));
        a.keepAlive();
        assertTrue(s.valid(), "the same session, renewed");
        assertEquals(List.of("lost " + s.id(), "restored " + s.id()), events);
    }

    @Test
    void expire_releasesEverything_tellsTheOthers_andTheNextKeepAliveIsANewSession() throws Exception {
        List<String> heardByB = record(b);
        Session old = a.session();
        a.claim(List.of(DB));
        a.expire();
        assertFalse(old.valid());
        assertTrue(service.owner(DB.location()).isEmpty());
        assertEquals(List.of("released " + DB.location()), heardByB);
        a.keepAlive();
        assertNotEquals(old.id(), a.session().id());
        assertFalse(old.valid(), "a session the service ended never comes back");
    }

    @Test
    void unavailableService_failsRequests_retryably() {
        service.available(false);
        assertTrue(assertThrows(CoordinationException.class, () -> a.claim(List.of(DB))).isRetryable());
        assertThrows(CoordinationException.class, a::keepAlive);
    }

    private static List<String> record(InMemoryCoordinator c) {
        List<String> events = new ArrayList<>();
        c.listen(new OwnershipListener() {
            @Override
            public void released(String location) {
                events.add("released " + location);
            }

            @Override
            public void sessionLost(Session session) {
                events.add("lost " + session.id());
            }

            @Override
            public void sessionRestored(Session session) {
                events.add("restored " + session.id());
            }
        });
        return events;
    }
}
