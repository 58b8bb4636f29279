package io.litefleet.cluster.etcd;

import io.litefleet.api.Settings;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorProvider;
import java.util.Set;

/**
 * {@code cluster: {type: etcd, endpoints: [...], lease-ttl: 10s, fence-margin: 2s, prefix: /litefleet/,
 * request-timeout: 3s, tls: {ca-file, cert-file, key-file}, username, password | password-file}}.
 */
public final class EtcdCoordinatorProvider implements CoordinatorProvider {
    /** For {@link java.util.ServiceLoader}. */
    public EtcdCoordinatorProvider() {
    }

    @Override
    public String type() {
        return "etcd";
    }

    @Override
    public Set<String> keys() {
        return EtcdSettings.KEYS;
    }

    @Override
    public Coordinator open(Settings settings, Context context) throws CoordinationException {
        return EtcdCoordinator.open(EtcdSettings.parse(settings), context);
    }
}
