package io.litefleet.testkit;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.api.cluster.CoordinatorStats.Operation;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Owner;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link Coordinator} backed by a heap {@link Service} that several instances may share, for tests of what the
 * engine does with ownership: each instance has its own monotonic clock that the test moves by hand
 * ({@link #advance}), and the test decides when a keep-alive is answered ({@link #keepAlive}), when the service
 * ends a session ({@link #expire}) and when it is unreachable ({@link Service#available}). Nothing runs by
 * itself: there is no thread, and listeners are called on the thread of the test call that caused the event
 * (after the service's lock is released). Thread-safe.
 *
 * <p>Tokens follow etcd: one revision per claim batch, increasing across the service, so a location that changes
 * hands always gets a higher token.
 */
public final class InMemoryCoordinator implements Coordinator {

    /** The shared coordination service (what etcd is in production). Thread-safe. */
    public static final class Service {
        private final TreeMap<String, Held> owners = new TreeMap<>();
        private final List<InMemoryCoordinator> members = new CopyOnWriteArrayList<>();
        private long revision;
        private long sessions;
        private volatile boolean available = true;

        private record Held(Owner owner, long sessionId) {
        }

        /**
         * A new instance in this service with a valid first session.
         *
         * @param validity how long a session stays valid after an answered keep-alive (TTL minus the margin)
         */
        public InMemoryCoordinator join(String instanceId, Duration validity) {
            InMemoryCoordinator c = new InMemoryCoordinator(this, instanceId, validity.toNanos());
            members.add(c);
            return c;
        }

        /** Makes every request fail as if the service were unreachable (false) or answers them again (true). */
        public void available(boolean up) {
            available = up;
        }

        /**
         * Drops {@code location}'s key without telling anyone, as a release whose event a watch lost to a
         * compaction; {@link InMemoryCoordinator#missReleases} then says so.
         */
        public synchronized void forget(String location) {
            owners.remove(location);
        }

        /** Who owns {@code location} now, if anyone. */
        public synchronized java.util.Optional<Owner> owner(String location) {
            return java.util.Optional.ofNullable(owners.get(location)).map(Held::owner);
        }

        private synchronized long newSession() {
            return ++sessions;
        }

        private void requireAvailable(InMemoryCoordinator from, Operation op, String operation)
                throws CoordinationException {
            boolean up = available;
            (up ? from.ok : from.failed)[op.ordinal()].incrementAndGet();
            if (!up) {
                throw new CoordinationException(true, "in-memory coordination service: " + operation
                        + ": unavailable (the test made it so)");
            }
        }

        /** Drops every key of {@code sessionId} and returns their locations. */
        private synchronized List<String> dropSession(long sessionId) {
            List<String> dropped = new ArrayList<>();
            owners.values().removeIf(h -> {
                if (h.sessionId() == sessionId) {
                    dropped.add(h.owner().location());
                    return true;
                }
                return false;
            });
            return dropped;
        }

        private void announce(List<String> released) {
            for (InMemoryCoordinator m : members) {
                released.forEach(location -> m.tell(l -> l.released(location)));
            }
        }
    }

    private final Service service;
    private final String instanceId;
    private final long validityNanos;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicLong[] ok = counters();
    private final AtomicLong[] failed = counters();
    private volatile long answeredAt;
    private final List<OwnershipListener> listeners = new CopyOnWriteArrayList<>();
    private volatile MemorySession session;
    private volatile boolean closed;

    private InMemoryCoordinator(Service service, String instanceId, long validityNanos) {
        this.service = service;
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        if (validityNanos <= 0) {
            throw new IllegalArgumentException("validity must be positive");
        }
        this.validityNanos = validityNanos;
        this.session = new MemorySession(service.newSession());
        session.validUntil = now.get() + validityNanos;
        answeredAt = now.get();
        ok[Operation.GRANT.ordinal()].incrementAndGet();
    }

    /** One instance alone in a new service. */
    public static InMemoryCoordinator single(String instanceId, Duration validity) {
        return new Service().join(instanceId, validity);
    }

    /** The service this instance belongs to. */
    public Service service() {
        return service;
    }

    /** This instance's monotonic clock, in nanoseconds; starts at an arbitrary value. */
    public long nanoTime() {
        return now.get();
    }

    /**
     * Moves this instance's clock forward (a pause, or time passing without answered keep-alives); tells the
     * listeners {@link OwnershipListener#sessionLost} when the session's validity passes.
     */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock does not go back: " + d);
        }
        MemorySession s = session;
        boolean wasValid = s.valid();
        now.addAndGet(d.toNanos());
        if (wasValid && !s.valid()) {
            tell(l -> l.sessionLost(s));
        }
    }

    /**
     * An answered keep-alive, sent now: the session is valid for the validity again. After {@link #expire} it is a
     * new session (a new id, nothing owned). Tells the listeners {@link OwnershipListener#sessionRestored} when it
     * was not valid before.
     *
     * @throws CoordinationException when the service is {@link Service#available unavailable}
     */
    public void keepAlive() throws CoordinationException {
        MemorySession s = session;
        service.requireAvailable(this, s.gone ? Operation.GRANT : Operation.KEEPALIVE, "keep-alive");
        boolean wasValid = s.valid();
        if (s.gone) {
            s = new MemorySession(service.newSession());
            session = s;
        }
        s.validUntil = now.get() + validityNanos;
        answeredAt = now.get();
        if (!wasValid) {
            MemorySession restored = s;
            tell(l -> l.sessionRestored(restored));
        }
    }

    /**
     * The service ends this instance's session (its lease expired there): every location it held is released and
     * announced to every instance; this one's listeners hear {@link OwnershipListener#sessionLost} if the session
     * was still valid by this instance's clock.
     */
    public void expire() {
        MemorySession s = session;
        boolean wasValid = s.valid();
        s.goneAt = now.get();
        s.gone = true;
        List<String> dropped = service.dropSession(s.id());
        if (wasValid) {
            tell(l -> l.sessionLost(s));
        }
        service.announce(dropped);
    }

    /** Tells this instance's listeners that releases may have been missed ({@code releasesMissed}). */
    public void missReleases() {
        tell(OwnershipListener::releasesMissed);
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public List<Claim> claim(List<Ownable> batch) throws CoordinationException {
        service.requireAvailable(this, Operation.CLAIM, "claim");
        Ownable.requireDistinct(batch);
        MemorySession s = session;
        if (!s.valid()) {
            throw new CoordinationException(true, "in-memory coordination service: claim: session "
                    + Long.toHexString(s.id()) + " of " + instanceId + " is not valid");
        }
        List<Claim> out = new ArrayList<>(batch.size());
        synchronized (service) {
            long token = 0;
            for (Ownable o : batch) {
                Service.Held h = service.owners.get(o.location());
                if (h == null) {
                    if (token == 0) {
                        token = ++service.revision;
                    }
                    service.owners.put(o.location(), new Service.Held(new Owner(o.location(), o.dbPath(),
                            instanceId, token), s.id()));
                    out.add(new Claim.Owned(o.location(), token, s));
                } else if (h.sessionId() == s.id()) {
                    out.add(new Claim.Owned(o.location(), h.owner().token(), s));
                } else {
                    out.add(new Claim.HeldBy(o.location(), h.owner().instance(), h.owner().token()));
                }
            }
        }
        return List.copyOf(out);
    }

    @Override
    public void release(Ownable location, long token) throws CoordinationException {
        service.requireAvailable(this, Operation.RELEASE, "release");
        boolean released;
        synchronized (service) {
            Service.Held h = service.owners.get(location.location());
            released = h != null && h.sessionId() == session.id() && h.owner().token() <= token;
            if (released) {
                service.owners.remove(location.location());
            }
        }
        if (released) {
            service.announce(List.of(location.location()));
        }
    }

    @Override
    public List<Owner> owners(String after, int limit) throws CoordinationException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        service.requireAvailable(this, Operation.RANGE, "owners");
        synchronized (service) {
            return service.owners.tailMap(after, false).values().stream().limit(limit).map(Service.Held::owner)
                    .toList();
        }
    }

    /**
     * Requests made through this instance by operation and outcome (keep-alives after {@link #expire} count as
     * grants), the time since the last answered keep-alive, and how long the session has not been valid.
     */
    @Override
    public CoordinatorStats stats() {
        long t = now.get();
        MemorySession s = session;
        Optional<Duration> fenced = s.valid() ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0,
                t - (s.gone && s.goneAt - s.validUntil < 0 ? s.goneAt : s.validUntil))));
        return new CoordinatorStats(sums(ok), sums(failed), Optional.of(Duration.ofNanos(t - answeredAt)), fenced);
    }

    private static AtomicLong[] counters() {
        AtomicLong[] a = new AtomicLong[Operation.values().length];
        java.util.Arrays.setAll(a, i -> new AtomicLong());
        return a;
    }

    private static long[] sums(AtomicLong[] a) {
        return java.util.Arrays.stream(a).mapToLong(AtomicLong::get).toArray();
    }

    @Override
    public void listen(OwnershipListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Ends the session like {@link #expire} (releasing everything), quietly. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySession s = session;
        s.gone = true;
        service.members.remove(this);
        service.announce(service.dropSession(s.id()));
    }

    private void tell(Consumer<OwnershipListener> event) {
        if (!closed) {
            listeners.forEach(event);
        }
    }

    /** One session; valid by this instance's clock until {@link #validUntil}, unless the service ended it. */
    private final class MemorySession implements Session {
        private final long id;
        private volatile long validUntil;
        private volatile boolean gone;
        private volatile long goneAt;

        MemorySession(long id) {
            this.id = id;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public long validUntilNanos() {
            return validUntil;
        }

        @Override
        public boolean valid() {
            return !gone && now.get() - validUntil < 0;
        }

        @Override
        public long remainingNanos() {
            return gone ? 0 : Math.max(0, validUntil - now.get());
        }

        @Override
        public String toString() {
            return "in-memory session " + Long.toHexString(id) + " of " + instanceId;
        }
    }

    /** For messages. */
    @Override
    public String toString() {
        return "InMemoryCoordinator[" + instanceId + ", session " + Long.toHexString(session.id()) + "]";
    }
}
