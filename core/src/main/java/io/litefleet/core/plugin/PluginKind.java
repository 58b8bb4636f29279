package io.litefleet.core.plugin;

import io.litefleet.api.cluster.CoordinatorProvider;
import io.litefleet.api.discovery.DiscoveryProvider;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.tier.TieringPolicyProvider;
import java.util.function.Function;

/** The plugin SPIs, each with the name users see in messages and the key its providers are unique by. */
public enum PluginKind {
    /** Storage backends, keyed by {@link ReplicaClientProvider#type()}. */
    REPLICA("replica", ReplicaClientProvider.class, p -> ((ReplicaClientProvider) p).type()),
    /** Database discovery, keyed by {@link DiscoveryProvider#type()}. */
    DISCOVERY("discovery", DiscoveryProvider.class, p -> ((DiscoveryProvider) p).type()),
    /** Promotion and demotion policies, keyed by {@link TieringPolicyProvider#type()}. */
    TIERING("tiering policy", TieringPolicyProvider.class, p -> ((TieringPolicyProvider) p).type()),
    /** Cluster coordination (the {@code cluster:} section), keyed by {@link CoordinatorProvider#type()}. */
    COORDINATION("cluster", CoordinatorProvider.class, p -> ((CoordinatorProvider) p).type());

    private final String label;
    private final Class<?> spi;
    private final Function<Object, String> key;

    PluginKind(String label, Class<?> spi, Function<Object, String> key) {
        this.label = label;
        this.spi = spi;
        this.key = key;
    }

    /** How messages name this kind, for example {@code replica} in "unknown replica type". */
    public String label() {
        return label;
    }

    /** The service interface. */
    public Class<?> spi() {
        return spi;
    }

    /** The provider's key (its {@code type()}); the provider must implement {@link #spi()}. */
    String keyOf(Object provider) {
        return key.apply(provider);
    }
}
