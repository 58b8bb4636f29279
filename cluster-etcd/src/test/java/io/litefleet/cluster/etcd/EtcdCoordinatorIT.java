package io.litefleet.cluster.etcd;

import static io.litefleet.cluster.etcd.EtcdFixtures.open;
import static io.litefleet.cluster.etcd.EtcdFixtures.ownables;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Owner;
import io.litefleet.api.cluster.Session;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.server.Etcd;
import io.litefleet.testkit.server.ServerExtension;
import io.litefleet.testkit.server.FaultProxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;

/**
 * The etcd coordinator against one real etcd 3.4 member (started once for the class; each test under its own key
 * prefix): claim, idempotent re-claim, holder named, release by token only, the watch telling another instance,
 * owners paging, close revoking everything at once, and lease expiry behind a dead network (self-fencing before the
 * server expires the lease, takeover after, a new session when the network returns).
 */
class EtcdCoordinatorIT {
    private static final Duration WITHIN = Duration.ofSeconds(10);
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    @RegisterExtension
    static final ServerExtension<Etcd> ETCD = ServerExtension.etcd(1);
    static Etcd etcd;
    static List<String> endpoints;

    @BeforeAll
    static void start() throws Exception {
        etcd = ETCD.get();
        endpoints = etcd.endpoints();
    }


    private static String prefix(TestInfo test) {
        return "/it" + PREFIXES.incrementAndGet() + "-" + test.getTestMethod().orElseThrow().getName() + "/";
    }

    @Test
    void claimIsExclusiveIdempotentAndNamesTheHolder(TestInfo test) throws Exception {
        String prefix = prefix(test);
        try (EtcdCoordinator a = open("host-a", endpoints, 5, prefix, Map.of());
             EtcdCoordinator b = open("host-b", endpoints, 5, prefix, Map.of())) {
            List<Ownable> xy = ownables("xy", 2);
            List<Claim> first = a.claim(xy);
            Claim.Owned x = assertInstanceOf(Claim.Owned.class, first.get(0));
            assertEquals(xy.get(0).location(), x.location());
            assertTrue(x.token() > 0, "a real token: " + x);
            assertEquals(a.session(), x.session());

            List<Claim> again = a.claim(xy);
            assertEquals(first, again, "claiming what one owns answers the same tokens");

            Ownable z = new Ownable("s3://bucket/z", "/data/z.db");
            List<Claim> byB = b.claim(List.of(xy.get(0), z));
            assertEquals(new Claim.HeldBy(x.location(), "host-a", x.token()), byB.get(0));
            Claim.Owned zOwned = assertInstanceOf(Claim.Owned.class, byB.get(1), "the free key in the same batch");
            assertTrue(zOwned.token() > x.token(), "tokens grow: " + zOwned + " after " + x);
            assertThrows(IllegalArgumentException.class, () -> a.claim(List.of(z, z)));
        }
    }

    @Test
    void releaseNeedsTheTokenAndTheWatchTellsOthers(TestInfo test) throws Exception {
        String prefix = prefix(test);
        EtcdFixtures.Recorder heard = new EtcdFixtures.Recorder();
        // request-timeout 1s: the watch must outlive it (only opening the stream has a timeout)
        try (EtcdCoordinator a = open("host-a", endpoints, 5, prefix, Map.of("request-timeout", "1s"));
             EtcdCoordinator b = open("host-b", endpoints, 5, prefix, Map.of("request-timeout", "1s"))) {
            b.listen(heard);
            Ownable db = ownables("rel", 1).getFirst();
            Claim.Owned owned = (Claim.Owned) a.claim(List.of(db)).getFirst();
            assertInstanceOf(Claim.HeldBy.class, b.claim(List.of(db)).getFirst());

            assertFalse(Await.holds(Duration.ofMillis(1_500), () -> b.requests("/v3/watch") > 1),
                    "the watch stream outlives request-timeout (1 s) without being reopened");
            a.release(db, owned.token() - 1);
            assertEquals("host-a", b.owners("", 10).getFirst().instance(), "an older token releases nothing");

            a.release(db, owned.token());
            Await.until(WITHIN, "host-b hears the release", () -> heard.released.contains(db.location()));
            Claim.Owned taken = assertInstanceOf(Claim.Owned.class, b.claim(List.of(db)).getFirst());
            assertTrue(taken.token() > owned.token(), "the new owner's token is higher: " + taken);
        }
    }

    @Test
    void oneClaimOverSeveralTransactions_isReleasedWithItsHighestToken_aLaterClaimIsNot(TestInfo test)
            throws Exception {
        String prefix = prefix(test);
        try (EtcdCoordinator a = open("host-a", endpoints, 5, prefix, Map.of());
             EtcdCoordinator b = open("host-b", endpoints, 5, prefix, Map.of())) {
            List<Ownable> many = ownables("chunk", EtcdClaims.BATCH + 2); // two transactions
            List<Claim> claims = a.claim(many);
            long highest = claims.stream().mapToLong(c -> ((Claim.Owned) c).token()).max().orElseThrow();
            long lowest = claims.stream().mapToLong(c -> ((Claim.Owned) c).token()).min().orElseThrow();
            assertTrue(lowest < highest, "keys from two transactions, two tokens: " + lowest + ", " + highest);

            Ownable last = many.getLast();
            a.release(last, highest);
            Claim.Owned byB = assertInstanceOf(Claim.Owned.class, b.claim(List.of(last)).getFirst());
            a.release(last, highest); // a stale release after b claimed it: b's key has a higher token
            assertTrue(b.owners("", 1000).stream().anyMatch(o -> o.location().equals(last.location())
                    && o.instance().equals("host-b")), "b keeps " + byB);

            for (Ownable o : many.subList(0, many.size() - 1)) {
                a.release(o, highest); // the row's highest token, as the fleet keeps it
            }
            assertEquals(List.of(last.location()), b.owners("", 1000).stream().map(Owner::location).toList(),
                    "every key of a's claim is gone, b's stays");
        }
    }

    @Test
    void ownersPageInKeyOrder(TestInfo test) throws Exception {
        String prefix = prefix(test);
        try (EtcdCoordinator a = open("host-a", endpoints, 5, prefix, Map.of())) {
            List<Ownable> dbs = ownables("page", 250);
            a.claim(dbs);
            List<Owner> all = new ArrayList<>();
            String after = "";
            while (true) {
                List<Owner> page = a.owners(after, 100);
                all.addAll(page);
                if (page.size() < 100) {
                    break;
                }
                after = page.getLast().location();
            }
            assertEquals(250, all.size());
            assertEquals(dbs.stream().map(Ownable::location).toList(), all.stream().map(Owner::location).toList());
            assertEquals(new Owner(dbs.get(7).location(), dbs.get(7).dbPath(), "host-a", all.get(7).token()),
                    all.get(7));
            assertThrows(IllegalArgumentException.class, () -> a.owners("", 0));
        }
    }

    @Test
    void closeRevokesTheLeaseAndFreesEveryKeyAtOnce(TestInfo test) throws Exception {
        String prefix = prefix(test);
        EtcdFixtures.Recorder heard = new EtcdFixtures.Recorder();
        List<Ownable> dbs = ownables("close", 300);
        try (EtcdCoordinator b = open("host-b", endpoints, 30, prefix, Map.of())) {
            b.listen(heard);
            EtcdCoordinator a = open("host-a", endpoints, 30, prefix, Map.of());
            a.claim(dbs);
            Session s = a.session();
            a.close();
            assertFalse(s.valid(), "a closed coordinator's session is not valid");
            Await.until(WITHIN, () -> "host-b hears all 300 released, heard " + heard.released.size(),
                    () -> heard.released.size() == 300);
            assertTrue(b.claim(dbs).stream().allMatch(Claim.Owned.class::isInstance), "all free for host-b");
        }
    }

    @Test
    void aCutOffInstanceFencesItselfBeforeTheLeaseExpiresAndGetsANewSessionAfter(TestInfo test) throws Exception {
        String prefix = prefix(test);
        EtcdFixtures.Recorder aHeard = new EtcdFixtures.Recorder();
        EtcdFixtures.Recorder bHeard = new EtcdFixtures.Recorder();
        try (FaultProxy net = FaultProxy.open(URI.create(endpoints.getFirst()));
             EtcdCoordinator a = open("host-a", List.of(net.endpoint().toString()), 3, prefix,
                     Map.of("fence-margin", "1s", "request-timeout", "500ms"));
             EtcdCoordinator b = open("host-b", endpoints, 3, prefix, Map.of())) {
            a.listen(aHeard);
            b.listen(bHeard);
            Ownable db = ownables("cut", 1).getFirst();
            Claim.Owned owned = (Claim.Owned) a.claim(List.of(db)).getFirst();
            Session old = a.session();
            assertTrue(old.valid());
            CoordinatorStats before = a.stats();
            assertFalse(before.fenced());
            assertEquals(1, before.ok(CoordinatorStats.Operation.GRANT));
            assertEquals(1, before.ok(CoordinatorStats.Operation.CLAIM));
            assertTrue(before.keepAliveAge().orElseThrow().compareTo(Duration.ofSeconds(3)) < 0, before.toString());

            long cut = System.nanoTime();
            net.down();
            Await.until(Duration.ofSeconds(3), "host-a's session is invalid within the TTL", () -> !old.valid());
            long fenced = System.nanoTime();
            Await.until(WITHIN, "host-a hears sessionLost", () -> aHeard.lost.contains(old));
            assertThrows(CoordinationException.class, () -> a.claim(List.of(db)), "no claims while fenced");
            CoordinatorStats cutOff = a.stats();
            assertTrue(cutOff.fenced(), cutOff.toString());
            assertTrue(cutOff.keepAliveAge().orElseThrow().compareTo(Duration.ofSeconds(2)) >= 0, cutOff.toString());
            assertTrue(cutOff.error(CoordinatorStats.Operation.KEEPALIVE) > 0, cutOff.toString());

            Await.until(WITHIN, "etcd expires host-a's lease and host-b hears the release",
                    () -> bHeard.released.contains(db.location()));
            long released = System.nanoTime();
            assertTrue(fenced < released, "host-a stopped before etcd handed its key on");
            Claim.Owned taken = assertInstanceOf(Claim.Owned.class, b.claim(List.of(db)).getFirst());
            assertTrue(taken.token() > owned.token());

            net.up();
            Await.until(WITHIN, "host-a gets a new session", () -> !aHeard.restored.isEmpty());
            Session fresh = a.session();
            assertNotEquals(old.id(), fresh.id(), "the old lease is gone: a new one");
            assertTrue(fresh.valid());
            assertFalse(old.valid(), "the old session never becomes valid again");
            CoordinatorStats back = a.stats();
            assertFalse(back.fenced(), back.toString());
            assertTrue(back.ok(CoordinatorStats.Operation.GRANT) >= 2, "a new lease was granted: " + back);
            assertEquals(new Claim.HeldBy(db.location(), "host-b", taken.token()), a.claim(List.of(db)).getFirst());
            System.out.printf("cut-off: fenced %d ms after the cut, key released by etcd %d ms after the cut%n",
                    (fenced - cut) / 1_000_000, (released - cut) / 1_000_000);
        }
    }

    @Test
    void theWatchResumesAfterADisconnectWithoutLosingAnEventAndAfterACompaction(TestInfo test) throws Exception {
        String prefix = prefix(test);
        EtcdFixtures.Recorder bHeard = new EtcdFixtures.Recorder();
        try (FaultProxy net = FaultProxy.open(URI.create(endpoints.getFirst()));
             EtcdCoordinator a = open("host-a", endpoints, 30, prefix, Map.of());
             EtcdCoordinator b = open("host-b", List.of(net.endpoint().toString()), 30, prefix,
                     Map.of("request-timeout", "1s"))) {
            b.listen(bHeard);
            List<Ownable> dbs = ownables("w", 2);
            List<Claim.Owned> owned = a.claim(dbs).stream().map(Claim.Owned.class::cast).toList();
            assertTrue(b.claim(dbs).stream().allMatch(Claim.HeldBy.class::isInstance));

            net.down(); // cuts host-b's watch stream
            a.release(dbs.get(0), owned.get(0).token());
            net.up();
            Await.until(WITHIN, "host-b's reopened watch replays the release it missed",
                    () -> bHeard.released.contains(dbs.get(0).location()));
            assertEquals(0, bHeard.missed.get(), "replayed, not reported missed");

            net.down();
            a.release(dbs.get(1), owned.get(1).token());
            long revision = a.claim(ownables("w-after", 1)).getFirst() instanceof Claim.Owned o ? o.token() : -1;
            compact(revision);
            net.up();
            Await.until(WITHIN, "after a compaction host-b says releases were missed",
                    () -> bHeard.missed.get() == 1);
        }
    }

    /** Compacts etcd's history up to {@code revision}. */
    private static void compact(long revision) throws Exception {
        EtcdSettings settings = EtcdSettings.parse(io.litefleet.api.Settings.of("test", Map.of("endpoints", endpoints)));
        try (EtcdHttp http = new EtcdHttp(settings, Runnable::run)) {
            http.call(CoordinatorStats.Operation.RANGE, "compact", "/v3/kv/compaction", Map.of("revision", revision));
        }
    }

    @Test
    void startedDuringAnOutageItIsFencedThenJoinsByItself(TestInfo test) throws Exception {
        String prefix = prefix(test);
        EtcdFixtures.Recorder heard = new EtcdFixtures.Recorder();
        try (FaultProxy net = FaultProxy.open(URI.create(endpoints.getFirst()))) {
            net.down();
            try (EtcdCoordinator a = open("host-a", List.of(net.endpoint().toString()), 3, prefix,
                    Map.of("request-timeout", "500ms"))) {
                a.listen(heard);
                assertFalse(a.session().valid(), "no lease yet: fenced");
                CoordinationException e = assertThrows(CoordinationException.class,
                        () -> a.claim(ownables("outage", 1)));
                assertTrue(e.isRetryable(), e.getMessage());

                net.up();
                Await.until(WITHIN, "host-a hears sessionRestored once etcd answers", () -> !heard.restored.isEmpty());
                assertTrue(a.session().valid());
                assertEquals(heard.restored.getFirst(), a.session());
                assertInstanceOf(Claim.Owned.class, a.claim(ownables("outage", 1)).getFirst());
            }
        }
    }

    @Test
    void oneRefusedKeepAlive_whileTheSessionIsValid_isRetriedAtOnce_notAfterTheSessionLapsed(TestInfo test)
            throws Exception {
        String prefix = prefix(test);
        EtcdFixtures.Recorder heard = new EtcdFixtures.Recorder();
        try (FaultProxy net = FaultProxy.open(URI.create(endpoints.getFirst()));
             EtcdCoordinator a = open("host-a", List.of(net.endpoint().toString()), 3, prefix,
                     Map.of("request-timeout", "1s"))) {
            a.listen(heard);
            Await.until(WITHIN, "two keep-alives (the watch has settled on its stream)",
                    () -> a.requests("/v3/lease/keepalive") >= 2);
            long keepAlives = a.requests("/v3/lease/keepalive");
            int before = net.requests().size();
            net.answer("POST", 1, 401, "refused once"); // the next request (a keep-alive): refused for good, once
            Await.until(WITHIN, "the refused keep-alive and the one after it",
                    () -> a.requests("/v3/lease/keepalive") >= keepAlives + 2);
            assertTrue(net.requests().get(before).target().contains("keepalive"), "the refused one was a keep-alive: "
                    + net.requests().subList(before, net.requests().size()));
            assertFalse(Await.holds(Duration.ofSeconds(4), () -> !heard.lost.isEmpty() || !a.session().valid()),
                    "a valid session outlived one refused keep-alive (TTL 3 s): " + heard.lost);
        }
    }

    @Test
    void badSettingsNameTheKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> open("x", List.of("ftp://127.0.0.1:1"), 5, "/p/", Map.of()));
        assertTrue(e.getMessage().contains("ftp://127.0.0.1:1"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> open("x", endpoints, 5, "/p/", Map.of("lease-tt", "3s")));
        assertTrue(e.getMessage().contains("lease-tt"), e.getMessage());
        Set<String> keys = new TreeSet<>(new EtcdCoordinatorProvider().keys());
        assertTrue(keys.containsAll(Set.of("endpoints", "lease-ttl", "tls", "username", "password-file")), "" + keys);
    }
}
