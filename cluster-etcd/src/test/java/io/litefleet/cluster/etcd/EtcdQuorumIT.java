package io.litefleet.cluster.etcd;

import static io.litefleet.cluster.etcd.EtcdFixtures.open;
import static io.litefleet.cluster.etcd.EtcdFixtures.ownables;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Session;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.server.Etcd;
import io.litefleet.testkit.server.ServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The etcd coordinator against a real 3-member etcd 3.4 cluster (started once for the class): one member down is
 * invisible (failover, the session stays valid throughout); two members paused (quorum lost) fences the instance
 * within the TTL and it resumes by itself when they come back; the whole cluster stopped and restarted on its data
 * directories likewise.
 */
class EtcdQuorumIT {
    private static final long TTL = 3;
    private static final Duration FENCE_WITHIN = Duration.ofSeconds(TTL);
    private static final Duration RESUME_WITHIN = Duration.ofSeconds(20);
    @RegisterExtension
    static final ServerExtension<Etcd> ETCD = ServerExtension.etcd(3);
    static Etcd etcd;

    @BeforeAll
    static void start() throws Exception {
        etcd = ETCD.get();
    }


    @AfterEach
    void everyMemberRunsAgain() throws Exception {
        for (int i = 0; i < 3; i++) {
            if (etcd.pid(i) < 0) {
                etcd.restart(i);
            } else {
                etcd.resume(i); // a no-op unless a failed test left it paused
            }
        }
        for (int i = 0; i < 3; i++) {
            etcd.awaitHealthy(i);
        }
    }

    @Test
    void oneMemberDownFailsOverWithoutLosingTheSession() throws Exception {
        try (EtcdCoordinator a = open("host-a", etcd.endpoints(), TTL, "/failover/",
                Map.of("request-timeout", "500ms"))) {
            Session s = a.session();
            etcd.kill(0); // the first endpoint, the one the client talks to
            long end = System.nanoTime() + Duration.ofSeconds(2 * TTL).toNanos();
            while (System.nanoTime() - end < 0) {
                assertTrue(s.valid(), "the session stays valid while a quorum answers");
                assertInstanceOf(Claim.Owned.class, a.claim(ownables("fo", 1)).getFirst());
            }
            assertTrue(a.session() == s, "the same session throughout");
        }
    }

    @Test
    void aSilentMemberDoesNotSilenceTheWatch() throws Exception {
        EtcdFixtures.Recorder heard = new EtcdFixtures.Recorder();
        List<String> reversed = etcd.endpoints().reversed();
        try (EtcdCoordinator a = open("host-a", etcd.endpoints(), TTL, "/silent/",
                Map.of("request-timeout", "500ms"));
             EtcdCoordinator b = open("host-b", reversed, TTL, "/silent/", Map.of("request-timeout", "500ms"))) {
            a.listen(heard);
            Ownable db = ownables("silent", 1).getFirst();
            Claim.Owned owned = (Claim.Owned) b.claim(List.of(db)).getFirst();
            etcd.pause(0); // host-a's watch and keep-alives talk to it; host-b's go to the last member
            // retried: the paused member may have been the leader, and the others elect a new one first
            Await.until(RESUME_WITHIN, "host-b releases", () -> released(b, db, owned.token()));
            Await.until(Duration.ofSeconds(TTL + 5), "host-a hears the release although its member is silent",
                    () -> heard.released.contains(db.location()));
            assertTrue(a.session().valid(), "a quorum answers: host-a's session stays valid");
        }
    }

    @Test
    void quorumLostFencesWithinTheTtlAndResumesWhenItReturns() throws Exception {
        EtcdFixtures.Recorder heard = new EtcdFixtures.Recorder();
        EtcdFixtures.Recorder bHeard = new EtcdFixtures.Recorder();
        try (EtcdCoordinator a = open("host-a", etcd.endpoints(), TTL, "/quorum/",
                Map.of("request-timeout", "500ms", "fence-margin", "1s"));
             EtcdCoordinator b = open("host-b", etcd.endpoints(), TTL, "/quorum/",
                     Map.of("request-timeout", "500ms", "fence-margin", "1s"))) {
            a.listen(heard);
            b.listen(bHeard);
            List<Ownable> dbs = ownables("q", 10);
            assertTrue(a.claim(dbs).stream().allMatch(Claim.Owned.class::isInstance));
            Session s = a.session();

            long paused = System.nanoTime();
            etcd.pause(1);
            etcd.pause(2);
            Await.until(FENCE_WITHIN, "host-a's session is invalid within the TTL of the quorum loss",
                    () -> !s.valid());
            long fenced = System.nanoTime();
            Await.until(Duration.ofSeconds(5), "host-a hears sessionLost", () -> heard.lost.contains(s));
            assertThrows(CoordinationException.class, () -> a.claim(ownables("q2", 1)));

            etcd.resume(1);
            etcd.resume(2);
            Await.until(RESUME_WITHIN, "host-a has a valid session again", () -> a.session().valid()
                    && !heard.restored.isEmpty());
            long resumed = System.nanoTime();
            // Either the old lease survived (no one could expire it without a quorum) or it was expired when the
            // quorum came back and a new one was granted: both are valid outcomes, and claims work again.
            Await.until(RESUME_WITHIN, "claims work again", () -> claims(a, ownables("q3", 1)));
            // Ours either way: the same key on the surviving lease, or claimed anew after the old lease expired.
            Claim.Owned again = assertInstanceOf(Claim.Owned.class, a.claim(List.of(dbs.getFirst())).getFirst());
            a.release(dbs.getFirst(), again.token());
            Await.until(Duration.ofSeconds(10), "host-b's watch works after the quorum came back",
                    () -> bHeard.released.contains(dbs.getFirst().location()));
            System.out.printf("quorum loss: fenced %d ms after the pause; valid again %d ms after the resume "
                    + "(same lease: %s)%n", (fenced - paused) / 1_000_000, (resumed - fenced) / 1_000_000,
                    a.session().id() == s.id());
        }
    }

    @Test
    void wholeClusterStoppedAndRestartedOnItsData() throws Exception {
        EtcdFixtures.Recorder heard = new EtcdFixtures.Recorder();
        try (EtcdCoordinator a = open("host-a", etcd.endpoints(), TTL, "/restart/",
                Map.of("request-timeout", "500ms"))) {
            a.listen(heard);
            Session s = a.session();
            for (int i = 0; i < 3; i++) {
                etcd.stop(i);
            }
            Await.until(FENCE_WITHIN, "fenced within the TTL of etcd stopping", () -> !s.valid());
            for (int i = 0; i < 3; i++) {
                etcd.restart(i);
            }
            Await.until(RESUME_WITHIN, "valid again after the restart", () -> a.session().valid());
            assertFalse(heard.lost.isEmpty(), "sessionLost was heard");
            Await.until(RESUME_WITHIN, "claims work again", () -> claims(a, ownables("r", 1)));
        }
    }

    private static boolean released(EtcdCoordinator c, Ownable o, long token) {
        try {
            c.release(o, token);
            return true;
        } catch (CoordinationException e) {
            return false;
        }
    }

    private static boolean claims(EtcdCoordinator c, List<Ownable> dbs) {
        try {
            return c.claim(dbs).stream().allMatch(Claim.Owned.class::isInstance);
        } catch (CoordinationException e) {
            return false;
        }
    }
}
