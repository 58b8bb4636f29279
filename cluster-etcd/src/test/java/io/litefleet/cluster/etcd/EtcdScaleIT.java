package io.litefleet.cluster.etcd;

import static io.litefleet.cluster.etcd.EtcdFixtures.open;
import static io.litefleet.cluster.etcd.EtcdFixtures.ownables;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.testkit.server.Etcd;
import io.litefleet.testkit.server.ServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an instance costs etcd: the keep-alive requests per second with no key held and with
 * {@code -Dcluster.keys} (default 10,000) held must be the same (one lease for every key), and no other request is
 * sent while idle; and how long claiming that many keys takes, in batches of 128 against one local etcd (data on
 * tmpfs). bench/cluster/run.sh runs it with 10,000 and 100,000 keys and keeps the printed figures.
 */
class EtcdScaleIT {
    private static final long TTL = 3; // a keep-alive every second: a short window still sees several
    private static final Duration WINDOW = Duration.ofSeconds(Long.getLong("cluster.window-seconds", 6));
    private static final String KEEPALIVE = "/v3/lease/keepalive";
    private static final List<String> OTHERS = List.of("/v3/kv/txn", "/v3/kv/range", "/v3/lease/grant");
    @RegisterExtension
    static final ServerExtension<Etcd> ETCD = ServerExtension.etcd(1);
    static Etcd etcd;

    @BeforeAll
    static void start() throws Exception {
        etcd = ETCD.get();
    }


    @Test
    void keepAliveRateDoesNotGrowWithTheKeysHeld() throws Exception {
        int keys = Integer.getInteger("cluster.keys", 10_000);
        try (EtcdCoordinator a = open("host-a", etcd.endpoints(), TTL, "/scale/", Map.of())) {
            double idle = rate(a);

            List<Ownable> dbs = ownables("scale", keys);
            long t0 = System.nanoTime();
            List<Claim> claims = a.claim(dbs);
            long claimNanos = System.nanoTime() - t0;
            assertEquals(keys, claims.stream().filter(Claim.Owned.class::isInstance).count());
            long txns = a.requests("/v3/kv/txn");
            assertEquals((keys + EtcdClaims.BATCH - 1) / EtcdClaims.BATCH, txns, "one txn per 128 keys");

            double held = rate(a);
            double expected = 1e9 / a.keepAliveIntervalNanos();
            System.out.printf("cluster scale: claimed %,d keys in %.2f s (%,d txns, %.0f keys/s); keep-alive "
                            + "requests/s: %.2f with 0 keys, %.2f with %,d keys (expected %.2f = 3/TTL, TTL %d s)%n",
                    keys, claimNanos / 1e9, txns, keys / (claimNanos / 1e9), idle, held, keys, expected, TTL);
            double slack = 1.5 / WINDOW.toSeconds(); // one request more or less at either end of the window
            assertTrue(Math.abs(held - idle) <= slack, "keep-alive rate " + held + "/s with " + keys
                    + " keys vs " + idle + "/s with none");
            assertTrue(Math.abs(held - expected) <= slack, "keep-alive rate " + held + "/s, expected " + expected);
        }
    }

    /** Keep-alives per second over {@link #WINDOW}; fails if any other request was sent meanwhile. */
    private static double rate(EtcdCoordinator c) throws InterruptedException {
        long[] before = OTHERS.stream().mapToLong(c::requests).toArray();
        long k0 = c.requests(KEEPALIVE);
        long t0 = System.nanoTime();
        Thread.sleep(WINDOW.toMillis()); // the measurement window itself, not a wait for an event
        long k1 = c.requests(KEEPALIVE);
        long t1 = System.nanoTime();
        long[] after = OTHERS.stream().mapToLong(c::requests).toArray();
        for (int i = 0; i < OTHERS.size(); i++) {
            assertEquals(before[i], after[i], "no " + OTHERS.get(i) + " request while idle");
        }
        return (k1 - k0) / ((t1 - t0) / 1e9);
    }
}
