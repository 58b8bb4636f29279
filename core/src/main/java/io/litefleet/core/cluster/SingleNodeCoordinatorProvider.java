package io.litefleet.core.cluster;

import io.litefleet.api.Settings;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorProvider;
import java.util.Set;

/** Provides {@link SingleNodeCoordinator} as cluster type {@code none}: no cluster, no keys of its own. */
public final class SingleNodeCoordinatorProvider implements CoordinatorProvider {
    /** For {@link java.util.ServiceLoader}. */
    public SingleNodeCoordinatorProvider() {
    }

    @Override
    public String type() {
        return SingleNodeCoordinator.TYPE;
    }

    @Override
    public Set<String> keys() {
        return Set.of();
    }

    /** The single-node coordinator; any key besides {@code type} and {@code instance-id} is refused. */
    @Override
    public Coordinator open(Settings settings, Context context) {
        settings.rejectUnknownKeys(keys());
        return SingleNodeCoordinator.of(context.instanceId());
    }
}
