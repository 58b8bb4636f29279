package io.litefleet.core.replica;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.Session;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The right of this instance to write under one replica path: the session the path was claimed in and the claim's
 * fencing token. {@link ReplicaTarget} checks it before every put and delete; the check reads the session's
 * validity on its monotonic clock and makes no request, so an instance whose session may have expired (its
 * keep-alives unanswered, or the process paused) writes nothing, before the service could hand the path on.
 *
 * @param session  the session the claim belongs to
 * @param token    the claim's fencing token; 0 in single-node mode, where objects carry no ownership metadata
 * @param instance this instance's id, written with each object when {@code token} is not 0
 */
public record Fence(Session session, long token, String instance) {
    /** Metadata key of the writing instance's id. */
    public static final String INSTANCE_KEY = "litefleet-instance";
    /** Metadata key of the writing owner's fencing token (decimal). */
    public static final String TOKEN_KEY = "litefleet-fence";

    /** Single-node mode: always open, no metadata. */
    public static final Fence NONE = new Fence(SingleNodeCoordinator.SESSION, 0, "");

    /** Validates. */
    public Fence {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(instance, "instance");
        if (token < 0) {
            throw new IllegalArgumentException("token must not be negative: " + token);
        }
        if (token != 0 && instance.isBlank()) {
            throw new IllegalArgumentException("a fence with a token needs the instance id");
        }
    }

    /** The fence of an owned claim, for this instance. */
    public static Fence of(Claim.Owned owned, String instance) {
        return new Fence(owned.session(), owned.token(), instance);
    }

    /**
     * Whether writes may go ahead: the session is valid by its monotonic clock. No I/O, no allocation.
     */
    public boolean open() {
        return session.valid();
    }

    /**
     * Returns when the fence is {@link #open()}; throws before any I/O otherwise.
     *
     * @param what the object or replica about to be written, for the message
     * @throws ReplicaException of kind {@link ReplicaFailure#FENCED}
     */
    public void check(String what) throws ReplicaException {
        if (!open()) {
            throw refused(what);
        }
    }

    /** The error for a write to {@code what} that the fence stopped. */
    ReplicaException refused(String what) {
        return new ReplicaException(ReplicaFailure.FENCED, what + ": not written: instance '" + instance
                + "' may no longer own this replica path (fencing token " + token + "): cluster session "
                + Long.toHexString(session.id()) + " is not known to be alive");
    }

    /**
     * {@code options} with this owner's metadata and a guard that checks the fence again at the backend's commit
     * point; the same options when the token is 0, so single-node objects are written exactly as before.
     */
    public PutOptions decorate(PutOptions options, String what) {
        if (token == 0) {
            return options;
        }
        Map<String, String> metadata = new HashMap<>(options.metadata());
        metadata.put(INSTANCE_KEY, instance);
        metadata.put(TOKEN_KEY, Long.toString(token));
        PutOptions.Guard prior = options.guard();
        return options.withMetadata(metadata).withGuard(() -> {
            prior.check();
            check(what);
        });
    }
}
