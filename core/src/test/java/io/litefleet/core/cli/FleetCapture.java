package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.Litefleet;
import io.litefleet.core.Replication;
import io.litefleet.core.ReplicationStatus;
import java.nio.file.Path;

/** Runs a config's fleet until every database is captured once, then stops it: the catalog and replicas stay. */
final class FleetCapture {
    private FleetCapture() {
    }

    static void captureAll(Path config, int databases) throws Exception {
        try (Replication fleet = Litefleet.builder().config(config).manual().start()) {
            fleet.runUntilIdle(); // the first scan and one pass per database, on this thread
            ReplicationStatus s = fleet.status();
            assertTrue(s.transients() >= databases && s.backlog() == 0, "initial capture: " + s);
        }
    }
}
