package io.litefleet.api.cluster;

/**
 * Receives session changes and released locations from a {@link Coordinator}. Called on a thread of the coordinator,
 * one call at a time; must not block (hand the event to the caller's own thread).
 */
public interface OwnershipListener {

    /**
     * Some instance (possibly this one) gave up {@code location}, or its session expired: it may be claimed now.
     * Releases made while the service was unreachable are still delivered once it answers again (for etcd: the watch
     * resumes from the last revision seen, and calls {@link #releasesMissed} when that revision was compacted away),
     * so a caller need not claim everything again after an outage.
     */
    void released(String location);

    /**
     * Releases may have been missed and cannot be replayed (for etcd: the watch's resume revision was compacted away):
     * any location this caller found held by another instance may be free now, so it should claim each again. Rare;
     * the default does nothing.
     */
    default void releasesMissed() {
    }

    /**
     * {@code session} stopped being {@link Session#valid() valid}: every write under it is already refused; the
     * caller should stop trying until {@link #sessionRestored}.
     */
    void sessionLost(Session session);

    /**
     * A session is valid again. When {@code session} has the id of the lost one, what was owned is still owned with
     * the same tokens; otherwise it is a new session and everything must be claimed again.
     */
    void sessionRestored(Session session);
}
