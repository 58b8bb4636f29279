package io.litefleet.api.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * This instance's membership in a cluster: one session (for etcd, one lease) that every ownership key it holds is
 * attached to, so keeping the session alive costs the same whatever the number of databases owned. Owning an
 * {@link Ownable} means being the only instance allowed to write under its replica location; every write checks
 * the owning {@link Session} first (a {@code Fence} in the engine), so an instance whose session may have expired
 * writes nothing.
 *
 * <p>One per process, created by {@link CoordinatorProvider#open}; closed by its creator. Thread-safe: every method
 * may be called from any thread. Methods that talk to the service block for at most the provider's request
 * timeout.
 */
public interface Coordinator extends AutoCloseable {

    /** This instance's id, as given in {@link CoordinatorProvider.Context#instanceId()}. */
    String instanceId();

    /**
     * The current session: never null, not necessarily valid. After the service declares a session gone, a new one
     * (with another {@link Session#id()}) replaces it; what was owned under the old one is owned no more.
     */
    Session session();

    /**
     * Claims each location that no one owns, attached to the current session; the service decides atomically per
     * location (for etcd: a transaction that creates the key only if absent).
     *
     * @param batch locations to claim, each at most once; may be empty
     * @return one claim per element of {@code batch}, in the same order: {@link Claim.Owned} when this instance owns
     *         it now (also when it already did under the current session, with the same token), else
     *         {@link Claim.HeldBy} naming the holder
     * @throws CoordinationException    when the service cannot decide (unreachable, no quorum, refused), or the
     *                                  session is not valid
     * @throws IllegalArgumentException when a location appears twice
     */
    List<Claim> claim(List<Ownable> batch) throws CoordinationException;

    /**
     * Gives up a location if this instance still owns it from a claim whose token was at most {@code token}; nothing
     * happens when it does not (the key is gone or was claimed again since, by anyone, with a higher token). The
     * token may be the highest of several locations claimed together (the service may have created their keys in
     * separate transactions, with different tokens). Other instances watching learn of it at once
     * ({@link OwnershipListener#released}).
     *
     * @throws CoordinationException when the service cannot be reached
     */
    void release(Ownable location, long token) throws CoordinationException;

    /**
     * Who owns what, in the order of {@link Owner#location()}, for the fleet-wide view. Pages by key: pass the last
     * location of one page as {@code after} of the next; a page shorter than {@code limit} is the last.
     *
     * @param after the last location already seen, or the empty string for the first page
     * @param limit the most owners returned, at least 1
     * @throws CoordinationException when the service cannot be reached
     */
    List<Owner> owners(String after, int limit) throws CoordinationException;

    /**
     * Requests sent so far and the age of the session's last keep-alive, for metrics and health. Cheap (no request);
     * thread-safe. The default, for coordinators that keep no statistics, is {@link CoordinatorStats#NONE}, with
     * {@code fencedFor} filled in from {@link #session()} without a duration it cannot know ({@link Duration#ZERO}).
     */
    default CoordinatorStats stats() {
        return session().valid() ? CoordinatorStats.NONE : new CoordinatorStats(CoordinatorStats.NONE.ok(),
                CoordinatorStats.NONE.error(), Optional.empty(), Optional.of(Duration.ZERO));
    }

    /**
     * Adds a listener for session changes and released locations, called on a thread of the coordinator.
     * Listeners added before {@link #close()} are called until it returns.
     */
    void listen(OwnershipListener listener);

    /**
     * Ends the session, releasing every location this instance owns in one request (for etcd: revokes the lease),
     * and stops the coordinator's threads. Idempotent; never throws: a session that cannot be ended expires by
     * itself.
     */
    @Override
    void close();
}
