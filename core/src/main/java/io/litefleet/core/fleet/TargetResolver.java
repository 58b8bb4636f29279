package io.litefleet.core.fleet;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;
import java.util.List;

/**
 * Where a discovered database replicates: the template(s) applied to its variables, on shared clients. A database
 * may replicate to several destinations, each kept by its own replicator.
 */
public interface TargetResolver {
    /** The replica path, for collision detection (every destination's, joined); cheap, no I/O. */
    String replicaPath(DiscoveredDatabase db);

    /** The first destination's target, creating or reusing its client. */
    ReplicaTarget resolve(DiscoveredDatabase db) throws IOException;

    /** Every destination's target, in configured order (default: the one {@link #resolve} gives). */
    default List<ReplicaTarget> resolveAll(DiscoveredDatabase db) throws IOException {
        return List.of(resolve(db));
    }
}
