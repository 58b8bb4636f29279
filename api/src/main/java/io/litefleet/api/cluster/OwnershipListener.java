package io.litefleet.api.cluster;

/**
 * Receives session changes and released locations from a {@link Coordinator}. Called on a thread of the coordinator,
 * one call at a time; must not block (hand the event to the caller's own thread).
 */
public interface OwnershipListener {

    /**
     * Some instance (possibly this one) gave up {@code location}, or its session expired: it may be claimed now.
     * Releases made while the service was unreachable are still delivered once it answers again (for etcd: the watch
     * resumes from the last revision seen, and reports every location it saw held by others when that revision was
     * compacted away), so a caller need not claim everything again after an outage.
     */
    void released(String location);

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
