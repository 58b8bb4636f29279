package io.litefleet.cluster.etcd;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.CoordinatorProvider;
import io.litefleet.api.cluster.CoordinatorStats;
import io.litefleet.api.cluster.CoordinatorStats.Operation;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.Owner;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Coordinator} on etcd: one lease per instance, renewed by one keep-alive request every TTL/3 on one owned
 * scheduler thread whatever the number of keys held (every ownership key is attached to the lease), claims by
 * transaction ({@link EtcdClaims}), and a watch for released keys ({@link EtcdWatch}). When etcd says the lease is
 * gone, a new one is granted and listeners hear {@code sessionLost} then {@code sessionRestored} with the new
 * session; when keep-alives fail until the session's validity passes, they hear {@code sessionLost}, then
 * {@code sessionRestored} with the same session once a keep-alive is answered again.
 */
final class EtcdCoordinator implements Coordinator {
    private static final Logger LOG = Logger.getLogger(EtcdCoordinator.class.getName());

    private final EtcdSettings settings;
    private final CoordinatorProvider.Context context;
    private final ExecutorService httpThreads;
    private final EtcdHttp http;
    private final EtcdClaims claims;
    private final ScheduledExecutorService scheduler;
    private final List<OwnershipListener> listeners = new CopyOnWriteArrayList<>();
    private final Object firing = new Object();
    private final long retryNanos;
    /** How often a request etcd refused for good is tried again (the config or etcd may be fixed meanwhile). */
    private static final long REFUSED_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private volatile EtcdSession session;
    private volatile boolean closed;
    private boolean lostReported; // the scheduler thread's
    /** The last refusal logged (the scheduler thread's); null once etcd answers again. */
    private String refusal;
    private volatile long intervalNanos;
    private volatile EtcdWatch watch; // from the first granted lease on
    /** Send time of the last answered grant or keep-alive; valid once {@link #answered} is set. */
    private volatile long answeredNanos;
    private volatile boolean answered;

    private EtcdCoordinator(EtcdSettings settings, CoordinatorProvider.Context context) {
        this.settings = settings;
        this.context = context;
        this.httpThreads = Executors.newCachedThreadPool(context.threads());
        this.http = new EtcdHttp(settings, httpThreads);
        this.claims = new EtcdClaims(http, settings.prefix(), context.instanceId(), httpThreads);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(context.threads());
        this.retryNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100),
                Math.min(TimeUnit.SECONDS.toNanos(1), settings.leaseTtl().toNanos() / 10));
    }

    /**
     * Grants the first lease, starts keeping it alive and watching. When etcd cannot be reached, returns with an
     * invalid session and keeps trying (listeners hear {@code sessionRestored} once a lease is granted); fails only
     * when etcd refuses for good (credentials, permissions, TLS material).
     */
    static EtcdCoordinator open(EtcdSettings settings, CoordinatorProvider.Context context)
            throws CoordinationException {
        EtcdCoordinator c = new EtcdCoordinator(settings, context);
        EtcdSession none = new EtcdSession(0, context.nanoClock().getAsLong(), 0, 0, context.nanoClock());
        none.end();
        c.session = none;
        try {
            c.regrant(none);
        } catch (CoordinationException e) {
            if (!e.isRetryable()) {
                c.close();
                throw e;
            }
            c.lostReported = true;
            LOG.warning("etcd cannot be reached at start (" + e.getMessage() + "): every replica write is fenced "
                    + "until it answers; retrying");
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        c.schedule(c.session.ended() ? c.retryNanos : c.intervalNanos);
        return c;
    }

    @Override
    public String instanceId() {
        return context.instanceId();
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public List<Claim> claim(List<Ownable> batch) throws CoordinationException {
        return claims.claim(batch, session);
    }

    @Override
    public void release(Ownable location, long token) throws CoordinationException {
        claims.release(location.location(), token);
    }

    @Override
    public List<Owner> owners(String after, int limit) throws CoordinationException {
        return claims.owners(after, limit);
    }

    @Override
    public void listen(OwnershipListener listener) {
        listeners.add(listener);
    }

    /** The settings, for messages and tests. */
    EtcdSettings settings() {
        return settings;
    }

    @Override
    public CoordinatorStats stats() {
        long now = context.nanoClock().getAsLong();
        EtcdSession s = session;
        Optional<Duration> age = answered ? Optional.of(Duration.ofNanos(Math.max(0, now - answeredNanos)))
                : Optional.empty();
        Optional<Duration> fenced = s.valid() ? Optional.empty()
                : Optional.of(Duration.ofNanos(Math.max(0, now - s.invalidSinceNanos())));
        return http.stats(age, fenced);
    }

    /** How many requests this coordinator sent to {@code path} ({@code /v3/lease/keepalive}, ...) so far. */
    long requests(String path) {
        return http.requests(path);
    }

    /** The keep-alive interval in nanoseconds: a third of the granted TTL. */
    long keepAliveIntervalNanos() {
        return intervalNanos;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        EtcdWatch w = watch;
        if (w != null) {
            w.close();
        }
        EtcdSession s = session;
        if (s != null && !s.ended() && s.id() != 0) {
            s.end(); // first: a write still in flight must not pass its fence once another instance may claim
            try {
                http.call(Operation.RELEASE, "revoke lease " + Long.toHexString(s.id()), "/v3/lease/revoke", Map.of("ID", s.id()));
            } catch (CoordinationException e) {
                LOG.log(Level.WARNING, "could not revoke " + s + " (it expires by itself within "
                        + settings.leaseTtl() + "): " + e.getMessage());
            }
        }
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        httpThreads.shutdownNow();
    }

    /** Grants a lease and makes it the session; its answer. */
    private Map<String, Object> grant() throws CoordinationException {
        long sent = context.nanoClock().getAsLong();
        Map<String, Object> r = http.call(Operation.GRANT, "grant lease", "/v3/lease/grant", Map.of("TTL", settings.leaseTtl()
                .toSeconds()));
        long ttl = Json.int64(r, "TTL");
        long id = Json.int64(r, "ID");
        if (id == 0 || ttl <= 0) {
            throw new CoordinationException(false, "grant lease: etcd answered no lease: " + r);
        }
        session = new EtcdSession(id, sent, ttl, settings.fenceMargin().toNanos(), context.nanoClock());
        answered(sent);
        intervalNanos = TimeUnit.SECONDS.toNanos(ttl) / 3;
        return r;
    }

    private void answered(long sentNanos) {
        answeredNanos = sentNanos;
        answered = true;
    }

    private void schedule(long delayNanos) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(this::keepAlive, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void keepAlive() {
        if (closed) {
            return;
        }
        EtcdSession s = session;
        long delay = intervalNanos;
        try {
            if (s.ended()) {
                regrant(s);
            } else {
                long sent = context.nanoClock().getAsLong();
                Map<String, Object> r = http.callOnce(Operation.KEEPALIVE, "keep-alive " + s, "/v3/lease/keepalive",
                        Map.of("ID", s.id()));
                long ttl = Json.int64(r, "TTL");
                if (!s.valid()) {
                    reportLost(s); // it lapsed before this answer: writers have stopped, so tell the listeners
                }
                watch.follow(http.currentEndpoint());
                if (ttl > 0) {
                    s.renewed(sent, ttl);
                    answered(sent);
                    if (lostReported) {
                        lostReported = false;
                        LOG.info("etcd answers again: " + s + " is valid again");
                        fire(l -> l.sessionRestored(s));
                    }
                } else {
                    s.end();
                    LOG.warning("etcd says " + s + " is gone (expired or revoked): every location held under it "
                            + "is lost; granting a new lease");
                    reportLost(s);
                    regrant(s);
                }
            }
            delay = session.ended() ? retryNanos : intervalNanos;
            refusal = null; // answered: a later refusal is news again
        } catch (CoordinationException e) {
            delay = retryNanos;
            if (!e.isRetryable()) {
                refused(e, s.ended() || !s.valid()); // credentials, permissions or TLS material: said once
                if (s.ended() || !s.valid()) {
                    delay = Math.max(retryNanos, REFUSED_RETRY_NANOS); // a valid lease is kept alive at full pace
                }
            }
            if (!s.valid()) {
                if (!lostReported) {
                    LOG.warning("no keep-alive answered for " + s + " within its TTL minus the fence margin: this "
                            + "instance stops writing until etcd answers (" + e.getMessage() + ")");
                }
                reportLost(s);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "keep-alive of " + s + " failed", e);
            delay = retryNanos;
        }
        schedule(delay);
    }

    /** Grants a new lease after {@code old} ended (or at start), and starts the watch the first time. */
    private void regrant(EtcdSession old) throws CoordinationException {
        if (watch == null) {
            // etcd 3.4 grants leases to anyone, even with auth on: read the prefix first, so that missing or wrong
            // credentials or permissions fail here, at start, rather than at the first claim
            claims.owners("", 1);
        }
        Map<String, Object> granted = grant();
        if (watch == null) {
            watch = new EtcdWatch(http, claims.dbPrefix(), Json.int64(Json.object(granted, "header"), "revision") + 1,
                    this::deleted, this::missed, context.threads());
        }
        EtcdSession now = session;
        lostReported = false;
        if (old.id() != 0) {
            LOG.info("etcd granted " + now + " after " + old + " ended: every location must be claimed again");
        }
        fire(l -> l.sessionRestored(now));
    }

    /**
     * etcd refused this instance for good (the same request will not pass until the config or etcd changes): an
     * ERROR naming why while that leaves it fenced (an instance started during an outage meets it only later), a
     * WARNING while its session is still valid; once per reason and state.
     */
    private void refused(CoordinationException e, boolean fenced) {
        String why = e.getMessage();
        String key = (fenced ? "fenced: " : "valid: ") + why;
        if (key.equals(refusal)) {
            return;
        }
        refusal = key;
        if (fenced) {
            LOG.severe("etcd refuses this instance (" + why + "): nothing is replicated (every write fenced, the WAL "
                    + "kept) until the cluster: section's credentials or TLS files are fixed, or etcd accepts them; "
                    + "trying again every " + TimeUnit.NANOSECONDS.toSeconds(REFUSED_RETRY_NANOS) + " s");
        } else {
            LOG.warning("etcd refused a keep-alive of " + session + " (" + why + "): retrying at once; the session "
                    + "stays valid until its validity passes without an answered keep-alive");
        }
    }

    private void reportLost(EtcdSession s) {
        if (!lostReported) {
            lostReported = true;
            fire(l -> l.sessionLost(s));
            EtcdWatch w = watch;
            if (w != null) {
                w.reconnect();
            }
        }
    }

    private void deleted(String key) {
        String location = claims.location(key);
        fire(l -> l.released(location));
    }

    private void missed() {
        fire(OwnershipListener::releasesMissed);
    }

    private void fire(Consumer<OwnershipListener> event) {
        synchronized (firing) {
            for (OwnershipListener l : listeners) {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cluster listener " + l + " failed", e);
                }
            }
        }
    }
}
