package io.litefleet.core.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.tier.AccessSample;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultTieringPolicyTest {
    private final TieringPolicy policy = new DefaultTieringPolicyProvider().create(Settings.of("t", Map.of()));

    private static AccessSample s(Tier t, long sinceChangeSec, int accesses) {
        return new AccessSample(t, Duration.ofSeconds(sinceChangeSec), Duration.ZERO, accesses);
    }

    @Test
    void cold_recentlyModifiedOrBusy_isPromoted() {
        assertEquals(TierDecision.PROMOTE, policy.decide(s(Tier.COLD, 0, 1)));
        assertEquals(TierDecision.PROMOTE, policy.decide(s(Tier.COLD, 300, 0)));
        assertEquals(TierDecision.STAY, policy.decide(s(Tier.COLD, 301, 10)));
        assertEquals(TierDecision.PROMOTE, policy.decide(s(Tier.COLD, 3600, 11)));
    }

    @Test
    void hot_idlePastTimeout_isDemoted() {
        assertEquals(TierDecision.STAY, policy.decide(s(Tier.HOT, 299, 0)));
        assertEquals(TierDecision.DEMOTE, policy.decide(s(Tier.HOT, 300, 50)));
    }

    @Test
    void create_unknownKeyOrBadValue_isNamed() {
        var p = new DefaultTieringPolicyProvider();
        assertThrows(ConfigException.class, () -> p.create(Settings.of("t", Map.of("idle", "1s"))));
        assertThrows(ConfigException.class, () -> p.create(Settings.of("t", Map.of("hot-idle-timeout", "soon"))));
        TieringPolicy fast = p.create(Settings.of("t", Map.of("hot-idle-timeout", "2s")));
        assertEquals(TierDecision.DEMOTE, fast.decide(s(Tier.HOT, 2, 0)));
    }
}
