package io.litefleet.api.discovery;

import io.litefleet.api.Settings;

/** Creates {@link Discovery} instances of one type. Found by {@link java.util.ServiceLoader}; stateless. */
public interface DiscoveryProvider {
    /** The discovery type, for example {@code glob}; lower case, unique. */
    String type();

    /**
     * Creates a discovery from its settings (for {@code glob}: the {@code patterns} list).
     *
     * @throws io.litefleet.api.ConfigException naming the bad key or pattern
     */
    Discovery create(Settings settings);
}
