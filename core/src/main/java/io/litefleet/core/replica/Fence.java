package io.litefleet.core.replica;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.Session;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import java.util.Objects;

/**
 * The right of this instance to write under one replica path: the session the path was claimed in and the claim's
 * fencing token. {@link ReplicaTarget} checks it before every put and delete; the check reads the session's
 * validity on its monotonic clock and makes no request, so an instance whose session may have expired (its
 * keep-alives unanswered, or the process paused) writes nothing, before the service could hand the path on.
 *
 * @param session  the session the claim belongs to
 * @param sessionId its id when the claim was made: a session whose id differs is another lease, under which this
 *                 claim's token means nothing (sessions keep their id by contract; this guards against one that
 *                 does not)
 * @param token    the claim's fencing token; 0 in single-node mode, where objects carry no ownership metadata
 * @param instance this instance's id, written with each object when {@code token} is not 0
 */
public record Fence(Session session, long sessionId, long token, String instance) {
    /** Single-node mode: always open, no metadata. */
    public static final Fence NONE = new Fence(SingleNodeCoordinator.SESSION, 0, 0, "");

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
        return new Fence(owned.session(), owned.session().id(), owned.token(), instance);
    }

    /**
     * Whether writes may go ahead: the claim's session is still the same lease and valid by its monotonic clock.
     * No I/O, no allocation.
     */
    public boolean open() {
        return session.id() == sessionId && session.valid();
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
                + Long.toHexString(sessionId) + " is not known to be alive");
    }

    /**
     * {@code options} with this owner's metadata and a guard that checks the fence again at the backend's commit
     * point; the same options when the token is 0, so single-node objects are written exactly as before.
     */
    public PutOptions decorate(PutOptions options, String what) {
        if (token == 0) {
            return options;
        }
        PutOptions.Guard prior = options.guard();
        return options.withOwner(instance, token).withGuard(new PutOptions.Guard() {
            @Override
            public void check() throws ReplicaException {
                prior.check();
                Fence.this.check(what);
            }

            @Override
            public long remainingNanos() {
                return Math.min(prior.remainingNanos(), open() ? session.remainingNanos() : 0);
            }
        });
    }
}
