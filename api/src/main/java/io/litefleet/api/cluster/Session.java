package io.litefleet.api.cluster;

/**
 * One session of this instance with the coordination service (for etcd: one lease), as a live view. Its
 * {@link #id()} never changes; when the service declares it gone, the coordinator makes a new {@code Session} with
 * another id, and tokens obtained under this one are void. Thread-safe; reads are cheap (a volatile read and a
 * clock read), because every replica write checks {@link #valid()} first.
 */
public interface Session {

    /** The session's id (for etcd: the lease id); unique within the cluster while the session lives. */
    long id();

    /**
     * Until when this session is known to be alive, on the coordinator's monotonic clock
     * ({@link CoordinatorProvider.Context#nanoClock()}): the send time of the last answered keep-alive plus the
     * time to live minus a safety margin, so that it passes before the service can expire the session and hand its
     * locations to another instance. Compare as {@code now - validUntilNanos() < 0} (the clock may wrap).
     * {@link Long#MAX_VALUE} for a session that never expires.
     */
    long validUntilNanos();

    /**
     * Whether this instance may still write under what it owns in this session: true while the coordinator's clock is
     * before {@link #validUntilNanos()} and the service has not declared the session gone. Becomes false without
     * any request as soon as the clock passes; may become true again when a keep-alive of the same session is
     * answered later (the service cannot have handed anything on without expiring it, which ends it for good).
     */
    boolean valid();

    /**
     * How long from now this session stays {@link #valid()} unless another keep-alive is answered: 0 when it is not
     * valid, {@link Long#MAX_VALUE} when it never expires. A write that must complete while the session is valid
     * (the commit request of an upload, with the client's own retries) is given at most this long. The default,
     * for sessions that cannot tell, is no bound while valid.
     */
    default long remainingNanos() {
        return valid() ? Long.MAX_VALUE : 0;
    }
}
