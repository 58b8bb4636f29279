/** The etcd cluster coordination plugin: provides a {@code CoordinatorProvider}; exports nothing. */
module io.litefleet.cluster.etcd {
    requires io.litefleet.api;
    requires com.fasterxml.jackson.core;
    requires java.net.http;
    requires java.logging;

    provides io.litefleet.api.cluster.CoordinatorProvider with io.litefleet.cluster.etcd.EtcdCoordinatorProvider;
}
