package io.litefleet.cluster.etcd;

import static io.litefleet.cluster.etcd.EtcdFixtures.open;
import static io.litefleet.cluster.etcd.EtcdFixtures.ownables;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.LogCapture;
import io.litefleet.testkit.server.Etcd;
import io.litefleet.testkit.server.FaultProxy;
import io.litefleet.testkit.server.ServerExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The coordinator against a real etcd with authentication on: the token header is sent, a refused password is a
 * clear non-retryable error naming the user, and a token the server forgot (simple tokens live in the member's
 * memory: a restart drops them) is fetched again without the caller noticing.
 */
class EtcdAuthIT {
    private static final Map<String, Object> ROOT = Map.of("username", "root", "password", "rootpw");
    @RegisterExtension
    static final ServerExtension<Etcd> ETCD = ServerExtension.etcd(1);
    static Etcd etcd;

    @BeforeAll
    static void start() throws Exception {
        etcd = ETCD.get();
        EtcdSettings plain = EtcdSettings.parse(Settings.of("test", Map.of("endpoints", etcd.endpoints())));
        try (EtcdHttp http = new EtcdHttp(plain, Runnable::run)) {
            http.call(CoordinatorStats.Operation.RANGE, "add user", "/v3/auth/user/add", Map.of("name", "root", "password", "rootpw"));
            http.call(CoordinatorStats.Operation.RANGE, "add role", "/v3/auth/role/add", Map.of("name", "root"));
            http.call(CoordinatorStats.Operation.RANGE, "grant role", "/v3/auth/user/grant", Map.of("user", "root", "role", "root"));
            http.call(CoordinatorStats.Operation.RANGE, "enable auth", "/v3/auth/enable", Map.of());
        }
    }


    @Test
    void authenticatesRefusesBadPasswordsAndRefetchesAForgottenToken() throws Exception {
        CoordinationException anonymous = assertThrows(CoordinationException.class,
                () -> open("host-x", etcd.endpoints(), 5, "/auth/", Map.of()));
        assertFalse(anonymous.isRetryable(), anonymous.getMessage());

        CoordinationException refused = assertThrows(CoordinationException.class,
                () -> open("host-x", etcd.endpoints(), 5, "/auth/", Map.of("username", "root", "password", "no")));
        assertTrue(refused.getMessage().contains("'root'") && !refused.isRetryable(), refused.getMessage());
        assertFalse(refused.getMessage().contains("no\""), "the password is not echoed: " + refused.getMessage());
        System.out.println("auth errors: " + anonymous.getMessage() + " / " + refused.getMessage());

        try (EtcdCoordinator a = open("host-a", etcd.endpoints(), 30, "/auth/", ROOT)) {
            assertTrue(a.claim(ownables("auth", 3)).stream().allMatch(Claim.Owned.class::isInstance));
            assertEquals(1, a.requests("/v3/auth/authenticate"));

            etcd.restart(0); // the member forgets every simple token (and keeps the lease: it is in its data)
            etcd.awaitHealthy(0);
            List<Claim> after = a.claim(ownables("auth2", 3));
            assertTrue(after.stream().allMatch(Claim.Owned.class::isInstance), "" + after);
            assertEquals(2, a.requests("/v3/auth/authenticate"), "the token was fetched again once");
        }
    }

    @Test
    void startedDuringAnOutageWithABadPassword_saysSoOnceEtcdAnswers_andStaysFenced() throws Exception {
        try (FaultProxy net = FaultProxy.open(URI.create(etcd.endpoints().getFirst()));
             LogCapture log = LogCapture.open(EtcdCoordinator.class.getName())) {
            net.down();
            try (EtcdCoordinator a = open("host-a", List.of(net.endpoint().toString()), 3, "/auth-late/",
                    Map.of("username", "root", "password", "wrong", "request-timeout", "500ms"))) {
                assertFalse(a.session().valid(), "no lease yet: fenced");
                net.up();
                Await.until(Duration.ofSeconds(20), "an error naming the refused user",
                        () -> log.count("etcd refuses this instance") == 1 && log.lines().stream().anyMatch(l ->
                                l.contains("'root'")));
                assertFalse(log.lines().stream().anyMatch(l -> l.contains("wrong")), "the password is not logged");
                assertFalse(a.session().valid(), "still fenced");
                assertFalse(Await.holds(Duration.ofSeconds(6), () -> log.count("etcd refuses this instance") > 1),
                        "said once, not at every try: " + log.lines());
            }
        }
    }
}
