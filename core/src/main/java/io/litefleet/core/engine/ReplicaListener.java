package io.litefleet.core.engine;

import io.litefleet.core.replica.LtxFileRef;

/** Told about every LTX file the engine uploads (compaction keeps its index of the replica from this). */
public interface ReplicaListener {
    /** A listener that ignores everything. */
    ReplicaListener NONE = ref -> { };

    /** {@code ref} is now in the replica. Called on the syncing thread; must not block. */
    void uploaded(LtxFileRef ref);

    /**
     * {@code ref} is now in the replica and {@code body} holds its exact bytes (the listener may keep the array; the
     * engine no longer uses it). Called on the syncing thread; must not block. By default as {@link #uploaded}.
     */
    default void uploaded(LtxFileRef ref, byte[] body) {
        uploaded(ref);
    }
}
