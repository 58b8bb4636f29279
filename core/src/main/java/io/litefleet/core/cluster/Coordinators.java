package io.litefleet.core.cluster;

import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorProvider;
import io.litefleet.core.config.ClusterConfig;
import io.litefleet.core.plugin.PluginRegistry;

/** Opens the coordinator the {@code cluster:} section names (replication, {@code litefleet databases --cluster}). */
public final class Coordinators {
    private Coordinators() {
    }

    /**
     * The coordinator of {@code cluster}, which the caller closes (for etcd, closing revokes the lease: every key this
     * instance holds is released in one request). Without a cluster ({@code type: none}, the default) the
     * {@link SingleNodeCoordinator}: no plugin, no thread, no host-name lookup, no request.
     *
     * @throws io.litefleet.api.ConfigException naming file, line and key for an unknown type or key
     * @throws CoordinationException            when the service refuses this instance for good (credentials, TLS)
     */
    public static Coordinator open(ClusterConfig cluster, PluginRegistry registry) throws CoordinationException {
        if (!cluster.clustered()) {
            return SingleNodeCoordinator.of(cluster.instanceId().orElse("local"));
        }
        CoordinatorProvider provider = cluster.provider(registry);
        String instance = cluster.instance();
        return provider.open(cluster.coordinator().settings(), new CoordinatorProvider.Context(instance,
                System::nanoTime, Thread.ofPlatform().daemon().name("litefleet-cluster-", 0).factory()));
    }
}
