package io.litefleet.api.tier;

import io.litefleet.api.Settings;

/** Creates {@link TieringPolicy} instances of one type. Found by {@link java.util.ServiceLoader}; stateless. */
public interface TieringPolicyProvider {
    /** The policy type, for example {@code default}; lower case, unique. */
    String type();

    /**
     * Creates a policy from its settings.
     *
     * @throws io.litefleet.api.ConfigException naming the bad key or value
     */
    TieringPolicy create(Settings settings);
}
