package io.litefleet.tiering.allowlist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.tier.AccessSample;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.api.tier.TieringPolicyProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AllowlistTieringPolicyProviderTest {
    /** The settings the fallback was created with. */
    private final AtomicReference<Settings> fallbackSettings = new AtomicReference<>();

    /** A fallback that demotes every hot database and never promotes: the opposite of the allow-list's rule. */
    private final TieringPolicyProvider strict = new TieringPolicyProvider() {
        @Override
        public String type() {
            return "strict";
        }

        @Override
        public TieringPolicy create(Settings settings) {
            fallbackSettings.set(settings);
            if (settings.has("bad")) {
                throw new ConfigException(settings.origin() + ": unknown key 'bad'");
            }
            return s -> s.tier() == Tier.HOT ? TierDecision.DEMOTE : TierDecision.STAY;
        }
    };

    private final AllowlistTieringPolicyProvider provider = new AllowlistTieringPolicyProvider(
            type -> type.equals("strict") ? Optional.of(strict) : Optional.empty());

    private TieringPolicy policy(Map<String, ?> values) {
        return provider.create(Settings.of("litefleet.yml: multi-db.tiering-policy", values));
    }

    private static AccessSample sample(Tier tier, String path) {
        return new AccessSample(tier, Duration.ofHours(1), Duration.ZERO, 0, path == null ? null : Path.of(path));
    }

    @Test
    void allowListed_isPromotedWhenColdAndStaysWhenHot_othersGetTheFallbacksDecision() {
        TieringPolicy p = policy(Map.of("allow", List.of("/data/tenants/acme-*.db", "/data/vip/**"),
                "fallback", "strict"));
        assertEquals(TierDecision.PROMOTE, p.decide(sample(Tier.COLD, "/data/tenants/acme-1.db")));
        assertEquals(TierDecision.STAY, p.decide(sample(Tier.HOT, "/data/tenants/acme-1.db")));
        assertEquals(TierDecision.STAY, p.decide(sample(Tier.HOT, "/data/vip/eu/big.db")));
        assertEquals(TierDecision.DEMOTE, p.decide(sample(Tier.HOT, "/data/tenants/other.db")));
        assertEquals(TierDecision.STAY, p.decide(sample(Tier.COLD, "/data/tenants/other.db")));
        assertEquals(TierDecision.DEMOTE, p.decide(sample(Tier.HOT, "/data/tenants/sub/acme-1.db")),
                "* must not cross a directory");
        assertEquals(TierDecision.DEMOTE, p.decide(sample(Tier.HOT, null)), "no path: the fallback decides");
    }

    @Test
    void fallback_getsTheOtherKeys_andDefaultsToTheDefaultPolicy() {
        policy(Map.of("allow", "/a/*.db", "fallback", "strict", "hot-idle-timeout", "PT5M"));
        assertEquals(Map.of("hot-idle-timeout", "PT5M"), fallbackSettings.get().values());
        ConfigException e = assertThrows(ConfigException.class, () -> policy(Map.of("allow", "/a/*.db")));
        assertEquals("litefleet.yml: multi-db.tiering-policy: key 'fallback' names no installed tiering policy: "
                + "'default'", e.getMessage());
        e = assertThrows(ConfigException.class, () -> policy(Map.of("allow", "/a/*.db", "fallback", "strict",
                "bad", "1")));
        assertTrue(e.getMessage().contains("unknown key 'bad'"), e.getMessage());
    }

    @Test
    void badSettings_areRefusedNamingTheKeyAndValue() {
        assertEquals("litefleet.yml: multi-db.tiering-policy: key 'allow' is required for a allowlist tiering "
                + "policy: a list of absolute globs of database paths to keep hot",
                assertThrows(ConfigException.class, () -> policy(Map.of("fallback", "strict"))).getMessage());
        assertEquals("litefleet.yml: multi-db.tiering-policy: key 'allow' must list at least one glob",
                assertThrows(ConfigException.class, () -> policy(Map.of("allow", List.of()))).getMessage());
        assertEquals("litefleet.yml: multi-db.tiering-policy: key 'allow' must hold absolute globs, got "
                + "'tenants/*.db'", assertThrows(ConfigException.class,
                        () -> policy(Map.of("allow", "tenants/*.db", "fallback", "strict"))).getMessage());
        String bad = assertThrows(ConfigException.class,
                () -> policy(Map.of("allow", "/data/{a,b", "fallback", "strict"))).getMessage();
        assertTrue(bad.startsWith("litefleet.yml: multi-db.tiering-policy: key 'allow' holds a bad glob "
                + "'/data/{a,b': "), bad);
        assertEquals("litefleet.yml: multi-db.tiering-policy: key 'fallback' must name another tiering policy, "
                + "got 'allowlist'", assertThrows(ConfigException.class,
                        () -> policy(Map.of("allow", "/a/*.db", "fallback", "allowlist"))).getMessage());
        assertEquals("litefleet.yml: multi-db.tiering-policy: key 'fallback' names no installed tiering policy: "
                + "'nope'", assertThrows(ConfigException.class,
                        () -> policy(Map.of("allow", "/a/*.db", "fallback", "nope"))).getMessage());
    }
}
