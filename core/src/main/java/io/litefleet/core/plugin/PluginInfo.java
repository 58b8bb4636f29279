package io.litefleet.core.plugin;

import java.util.Objects;

/**
 * One loaded provider, as {@code litefleet plugins} shows it.
 *
 * @param kind      which SPI it implements
 * @param type      its key ({@code type()}), unique within the kind
 * @param className the provider class
 * @param origin    where it came from: {@code module io.litefleet.replica.s3 (boot layer)},
 *                  {@code module x in /opt/litefleet/plugins/s3 (module layer)} or
 *                  {@code /opt/litefleet/plugins/gcs/x.jar (class loader)}
 */
public record PluginInfo(PluginKind kind, String type, String className, String origin) {
    /** Validates. */
    public PluginInfo {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(origin, "origin");
    }

    /** {@code <class> from <origin>}, for messages. */
    public String describe() {
        return className + " from " + origin;
    }
}
