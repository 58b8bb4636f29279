/**
 * Litefleet's plugin contracts (SPI): replica clients, database discovery, tiering policy and
 * cluster coordination.
 *
 * <p>Plugins depend on this module only; {@code io.litefleet.core} finds them through
 * {@link java.util.ServiceLoader}.
 */
module io.litefleet.api {
    exports io.litefleet.api;
    exports io.litefleet.api.replica;
    exports io.litefleet.api.discovery;
    exports io.litefleet.api.tier;
    exports io.litefleet.api.cluster;
}
