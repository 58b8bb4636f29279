package io.litefleet.core.fleet;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;

/** Where a discovered database replicates: the template applied to its variables, on a shared client. */
public interface TargetResolver {
    /** The replica path (for collision detection); cheap, no I/O. */
    String replicaPath(DiscoveredDatabase db);

    /** The target, creating or reusing the destination's client. */
    ReplicaTarget resolve(DiscoveredDatabase db) throws IOException;
}
