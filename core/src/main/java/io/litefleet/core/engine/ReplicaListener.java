package io.litefleet.core.engine;

import io.litefleet.core.replica.LtxFileRef;

/** Told about every LTX file the engine uploads (compaction keeps its index of the replica from this). */
public interface ReplicaListener {
    /** A listener that ignores everything. */
    ReplicaListener NONE = ref -> { };

    /** {@code ref} is now in the replica. Called on the syncing thread; must not block. */
    void uploaded(LtxFileRef ref);
}
