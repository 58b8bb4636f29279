package io.litefleet.discovery.glob;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.discovery.DiscoveryProvider;

/**
 * Discovery by glob patterns with named captures ({@code /data/{tenant}/*.db}), type {@code glob}. The discovery
 * itself arrives with the fleet issue; {@link #create} says so.
 */
public final class GlobDiscoveryProvider implements DiscoveryProvider {
    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public GlobDiscoveryProvider() {
    }

    @Override
    public String type() {
        return "glob";
    }

    @Override
    public Discovery create(Settings settings) {
        throw new ConfigException(settings.origin() + ": glob discovery is not implemented yet; "
                + "it arrives with the fleet issue");
    }
}
