package io.litefleet.tiering.allowlist;

import io.litefleet.api.tier.AccessSample;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import java.util.Objects;

/**
 * Allow-listed databases: promote when cold, stay when hot. Others, and samples without a path (made by a core
 * older than {@link AccessSample#path()}): the fallback's decision. A pure function of the sample.
 *
 * @param allow    the databases kept hot
 * @param fallback the policy for every other database
 */
record AllowlistPolicy(PathAllowlist allow, TieringPolicy fallback) implements TieringPolicy {
    AllowlistPolicy {
        Objects.requireNonNull(allow, "allow");
        Objects.requireNonNull(fallback, "fallback");
    }

    @Override
    public TierDecision decide(AccessSample sample) {
        if (sample.path() == null || !allow.matches(sample.path())) {
            return fallback.decide(sample);
        }
        return sample.tier() == Tier.COLD ? TierDecision.PROMOTE : TierDecision.STAY;
    }
}
