package io.litefleet.core.cluster;

import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorStats;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * What metrics, health and the status API read of cluster mode while replication runs: the coordinator and this
 * instance's ownership counts. Exists only with a {@code cluster:} section, so a single-node instance pays nothing.
 * Thread-safe when the suppliers are.
 *
 * @param coordinator the open coordinator
 * @param owned       databases this instance replicates under a claim now
 * @param foreign     databases this instance found held by another instance
 */
public record ClusterView(Coordinator coordinator, IntSupplier owned, IntSupplier foreign) {
    /** Validates. */
    public ClusterView {
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(owned, "owned");
        Objects.requireNonNull(foreign, "foreign");
    }

    /** The figures now. */
    public Snapshot snapshot() {
        return new Snapshot(coordinator.instanceId(), coordinator.stats(), owned.getAsInt(), foreign.getAsInt());
    }

    /**
     * The figures at one moment.
     *
     * @param instance this instance's id
     * @param stats    the coordinator's requests and session age
     * @param owned    databases owned
     * @param foreign  databases held by other instances
     */
    public record Snapshot(String instance, CoordinatorStats stats, int owned, int foreign) {
        /** Validates. */
        public Snapshot {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(stats, "stats");
        }

        /**
         * While the session is not valid: {@code fenced since T (last keep-alive N s ago)}, T in whole seconds of
         * {@code now}'s clock; empty while it is valid.
         */
        public Optional<String> fenced(Instant now) {
            return stats.fencedFor().map(d -> "fenced since " + now.minus(d).truncatedTo(ChronoUnit.SECONDS) + " ("
                    + keepAlive() + ")");
        }

        /** One line for the status log: {@code instance host-a: 12 owned, 3 foreign, last keep-alive 2s ago}. */
        public String line(Instant now) {
            return "instance " + instance + ": " + fenced(now).map(f -> f + ", ").orElse("") + owned + " owned, "
                    + foreign + " foreign, " + keepAlive();
        }

        private String keepAlive() {
            return stats.keepAliveAge().map(a -> "last keep-alive " + a.toSeconds() + "s ago")
                    .orElse("no keep-alive answered yet");
        }
    }
}
