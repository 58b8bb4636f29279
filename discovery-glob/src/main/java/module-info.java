/** The glob discovery plugin: provides a {@code DiscoveryProvider}; exports nothing. */
module io.litefleet.discovery.glob {
    requires io.litefleet.api;

    provides io.litefleet.api.discovery.DiscoveryProvider with io.litefleet.discovery.glob.GlobDiscoveryProvider;
}
