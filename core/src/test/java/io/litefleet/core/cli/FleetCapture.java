package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.fleet.FleetManager;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.state.Catalog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Runs a config's fleet until every database is captured once, then stops it: the catalog and replicas stay. */
final class FleetCapture {
    private FleetCapture() {
    }

    static void captureAll(Path config, int databases) throws Exception {
        LitefleetConfig c = LitefleetConfig.load(config);
        Path state = c.fleet().orElseThrow().stateDir().orElseGet(() -> c.stateDir().orElseThrow());
        try (PluginRegistry registry = PluginRegistry.open(Optional.empty());
             ReplicaClients clients = new ReplicaClients(registry);
             Catalog catalog = Catalog.open(state)) {
            FleetManager fleet = FleetRunner.start(c.fleet().orElseThrow(), c.compaction(), registry, clients,
                    catalog, Clock.systemUTC());
            try {
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (fleet.status().transients() < databases || fleet.status().backlog() > 0) {
                    assertTrue(System.nanoTime() < deadline, "initial capture: " + fleet.status());
                    Thread.sleep(50);
                }
            } finally {
                fleet.close();
            }
        }
    }
}
