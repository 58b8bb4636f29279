package io.litefleet.core.tier;

import io.litefleet.api.Settings;
import io.litefleet.api.tier.AccessSample;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.api.tier.TieringPolicyProvider;
import java.time.Duration;
import java.util.Set;

/**
 * The design's rules, as the {@code default} tiering policy: a cold database is promoted when it was modified
 * within {@code modified-within} (default 5 min) or changed more than {@code access-count} times (default 10); a
 * hot one is demoted after {@code idle-timeout} (default 5 min) without a change.
 */
public final class DefaultTieringPolicyProvider implements TieringPolicyProvider {
    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public DefaultTieringPolicyProvider() {
    }

    @Override
    public String type() {
        return "default";
    }

    @Override
    public TieringPolicy create(Settings settings) {
        settings.rejectUnknownKeys(Set.of("type", "promote-if-modified-within", "promote-if-accessed-more-than",
                "hot-idle-timeout"));
        return new Policy(settings.duration("promote-if-modified-within", Duration.ofMinutes(5)),
                (int) settings.integer("promote-if-accessed-more-than", 10, 0, 1_000_000),
                settings.duration("hot-idle-timeout", Duration.ofMinutes(5)));
    }

    /** The rules; a pure function of the sample. */
    record Policy(Duration modifiedWithin, int accessCount, Duration idleTimeout) implements TieringPolicy {
        @Override
        public TierDecision decide(AccessSample s) {
            if (s.tier() == Tier.COLD) {
                return s.sinceLastChange().compareTo(modifiedWithin) <= 0 || s.recentAccesses() > accessCount
                        ? TierDecision.PROMOTE : TierDecision.STAY;
            }
            return s.sinceLastChange().compareTo(idleTimeout) >= 0 ? TierDecision.DEMOTE : TierDecision.STAY;
        }
    }
}
