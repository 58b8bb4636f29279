package io.litefleet.core.cluster;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Owner;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import java.util.List;
import java.util.Objects;

/**
 * The coordinator without a cluster ({@code cluster: {type: none}}, the default): this instance owns everything, for
 * ever, with token 0, which writes no metadata and leaves replicas byte-identical to single-node ones. Sends no
 * request, starts no thread and keeps no state, so it costs nothing per database. Thread-safe.
 */
public final class SingleNodeCoordinator implements Coordinator {
    /** The type name of the {@code cluster:} section that selects it. */
    public static final String TYPE = "none";

    /** The one session: id 0, never expires, always valid. */
    public static final Session SESSION = new Session() {
        @Override
        public long id() {
            return 0;
        }

        @Override
        public long validUntilNanos() {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean valid() {
            return true;
        }

        @Override
        public String toString() {
            return "single-node session";
        }
    };

    private final String instanceId;

    private SingleNodeCoordinator(String instanceId) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    }

    /** The coordinator of a standalone instance named {@code instanceId}. */
    public static SingleNodeCoordinator of(String instanceId) {
        return new SingleNodeCoordinator(instanceId);
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public Session session() {
        return SESSION;
    }

    @Override
    public List<Claim> claim(List<Ownable> batch) {
        Ownable.requireDistinct(batch);
        return batch.stream().<Claim>map(o -> new Claim.Owned(o.location(), 0, SESSION)).toList();
    }

    /** Nothing to release: no one else could take it. */
    @Override
    public void release(Ownable location, long token) {
        Objects.requireNonNull(location, "location");
    }

    /** No owner is recorded anywhere; the local catalog lists what this instance replicates. */
    @Override
    public List<Owner> owners(String after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        return List.of();
    }

    /** No request is ever sent and the session never needs a keep-alive. */
    @Override
    public CoordinatorStats stats() {
        return CoordinatorStats.NONE;
    }

    /** Nothing ever happens to the session or to ownership, so the listener is never called. */
    @Override
    public void listen(OwnershipListener listener) {
        Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void close() {
    }
}
