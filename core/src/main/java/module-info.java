/**
 * Litefleet's engine: WAL capture, the LTX codec, restore, the built-in {@code file} replica, the plugin registry
 * and the command line. Exports only the embedding facade {@code io.litefleet.core}.
 */
module io.litefleet.core {
    requires transitive io.litefleet.api;
    requires java.sql;
    // The logging: section configures the JDK's logging (level, JSON lines, standard output).
    requires java.logging;
    requires org.xerial.sqlitejdbc;
    requires info.picocli;
    requires org.lz4.java;
    requires org.yaml.snakeyaml;
    requires jdk.management;
    // addr: serves metrics, the status API and page on the JDK's HTTP server.
    requires jdk.httpserver;
    // The Prometheus Java client builds and writes them (automatic modules: Automatic-Module-Name of each jar).
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;
    // sun.misc.Signal: SIGTERM stops the daemon with exit code 0.
    requires jdk.unsupported;

    exports io.litefleet.core;

    // picocli reads the command classes reflectively.
    opens io.litefleet.core.cli to info.picocli;

    uses io.litefleet.api.replica.ReplicaClientProvider;
    uses io.litefleet.api.discovery.DiscoveryProvider;
    uses io.litefleet.api.tier.TieringPolicyProvider;
    uses io.litefleet.api.cluster.CoordinatorProvider;

    provides io.litefleet.api.replica.ReplicaClientProvider with io.litefleet.core.file.FileReplicaClientProvider;
    provides io.litefleet.api.tier.TieringPolicyProvider with io.litefleet.core.tier.DefaultTieringPolicyProvider;
    provides io.litefleet.api.cluster.CoordinatorProvider with io.litefleet.core.cluster.SingleNodeCoordinatorProvider;
}
