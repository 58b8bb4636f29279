package io.litefleet.core.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinatorProvider;
import io.litefleet.api.cluster.Ownable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Single-node mode: everything is owned with token 0 under a session that never ends. */
class SingleNodeCoordinatorTest {
    private final SingleNodeCoordinator coordinator = SingleNodeCoordinator.of("host-a");

    @Test
    void claim_ownsEveryLocation_withTokenZero_inOrder() {
        List<Ownable> batch = List.of(new Ownable("s3://b/a", "/data/a.db"), new Ownable("s3://b/b", "/data/b.db"));
        assertEquals(List.of(new Claim.Owned("s3://b/a", 0, SingleNodeCoordinator.SESSION),
                new Claim.Owned("s3://b/b", 0, SingleNodeCoordinator.SESSION)), coordinator.claim(batch));
        assertEquals(List.of(), coordinator.claim(List.of()));
    }

    @Test
    void claim_sameLocationTwiceInOneBatch_isRefused() {
        Ownable a = new Ownable("s3://b/a", "/data/a.db");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> coordinator.claim(List.of(a, a)))
                .getMessage().contains("s3://b/a"));
    }

    @Test
    void session_isAlwaysValid_andNeverExpires() {
        assertSame(SingleNodeCoordinator.SESSION, coordinator.session());
        assertTrue(coordinator.session().valid());
        assertEquals(Long.MAX_VALUE, coordinator.session().validUntilNanos());
        assertEquals(0, coordinator.session().id());
    }

    @Test
    void owners_recordsNone_andReleaseAndCloseDoNothing() {
        Ownable a = new Ownable("s3://b/a", "/data/a.db");
        coordinator.release(a, 0);
        assertEquals(List.of(), coordinator.owners("", 10));
        coordinator.close();
        coordinator.close();
        assertEquals(Claim.Owned.class, coordinator.claim(List.of(a)).get(0).getClass(), "usable after close");
    }

    @Test
    void provider_isTypeNone_withNoKeysOfItsOwn() throws Exception {
        CoordinatorProvider p = new SingleNodeCoordinatorProvider();
        assertEquals("none", p.type());
        assertEquals(Settings.of("x", Map.of()).keys(), p.keys());
        CoordinatorProvider.Context ctx = new CoordinatorProvider.Context("host-b", System::nanoTime,
                Thread.ofPlatform().factory());
        assertEquals("host-b", p.open(Settings.of("litefleet.yml: cluster", Map.of()), ctx).instanceId());
        assertTrue(assertThrows(ConfigException.class, () -> p.open(Settings.of("litefleet.yml: cluster",
                Map.of("endpoints", "http://x")), ctx)).getMessage().contains("unknown key 'endpoints'"));
    }
}
