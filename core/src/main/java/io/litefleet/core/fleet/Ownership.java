package io.litefleet.core.fleet;

import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.CoordinationException;
import io.litefleet.api.cluster.Coordinator;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.cluster.OwnershipListener;
import io.litefleet.api.cluster.Session;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.core.replica.Fence;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.util.PackedHashIndex;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cluster mode for the fleet: which rows this instance owns, through the {@link Coordinator}. A row is claimed (all
 * its destinations' locations in one request, several rows batched) before its first upload; the claim's token is
 * kept in the row ({@link DbTable#token}) and every job carries it as a {@link Fence} in its targets, so every write
 * checks the session first. A row another instance holds is {@link RowState#FOREIGN} until that one releases it. A
 * hot or cold row that owns its locations sends no request to keep them: only the session is renewed.
 *
 * <p>Without a cluster (single-node coordinator, or none given) every row is owned with {@link Fence#NONE}: no
 * claim, no column, no request. Fleet thread only; the coordinator's listener calls come through the inbox.
 */
final class Ownership {
    private static final System.Logger LOG = System.getLogger(Ownership.class.getName());
    /** Locations per claim request: etcd's default {@code --max-txn-ops} is 128. */
    static final int BATCH = 128;
    /** Claim requests in flight at once: claiming a large fleet at start is not one round trip per batch. */
    static final int IN_FLIGHT = 4;
    /** What a row waits for its claim to do: bits of {@link #waiting}. */
    static final int PASS = 1;
    static final int PROMOTE = 2;
    static final int SETTLE = 4;

    /** What the fleet resumes once a row is owned. */
    interface Resume {
        /** Row {@code id} is owned now: do what {@code wants} (bits PASS, PROMOTE, SETTLE) asked for. */
        void owned(int id, int wants);

        /** Row {@code id} is held by {@code holder}: it left {@link RowState#COLD} or {@link RowState#QUEUED}. */
        void foreign(int id, String holder);

        /** The session changed: the hot rows' fences are void; demote them (their next pass claims again). */
        void fencesVoid();
    }

    private final Fleet f;
    private final Coordinator coordinator;
    private Resume resume;
    /** Rows waiting for a claim, with what they want then, in arrival order. */
    private final Map<Integer, Integer> waiting = new LinkedHashMap<>();
    /** Rows in {@link RowState#FOREIGN}, by the hash of each of their locations (8 bytes an entry); cluster only. */
    private final PackedHashIndex foreign;
    /** The session the tokens in the table were claimed in. */
    private Session epoch;
    private int inFlight;
    /** The release count ({@link #releaseEvents}) when each claim batch in flight was sent. */
    private final List<Long> inFlightSince = new ArrayList<>();
    /** Releases heard so far: orders them against claim batches. */
    private long releaseEvents;
    /**
     * Locations released while claims were in flight that no FOREIGN row used yet, with the {@link #releaseEvents}
     * count of the release: a claim answered "held" before the release but processed after it must not leave its row
     * FOREIGN for good. Entries older than every batch in flight are dropped.
     */
    private final Map<String, Long> releasedDuringClaims = new java.util.HashMap<>();
    /** Releases that failed (the service unreachable), tried again with backoff while their session lasts. */
    private final List<Unreleased> unreleased = new ArrayList<>();
    /**
     * Locations with a release in flight or pending: a row that uses one is not claimed until the release is done,
     * since a claim now would find the key still on this session and get the same token, which the release would
     * then delete under it.
     */
    private final java.util.Set<String> releasingLocations = new java.util.HashSet<>();
    /** Rows whose release waits for their final sync (busy), with the locations held back meanwhile. */
    private final Map<Integer, List<Ownable>> deferredReleases = new java.util.HashMap<>();
    /** Rows with a claim batch in flight: one batch at a time per row. */
    private final java.util.Set<Integer> claiming = new java.util.HashSet<>();
    private boolean draining;
    private boolean lost;
    private boolean releasing;
    private int releaseFailures;
    private Instant releaseRetryAt = Instant.MIN;
    private int failures;
    private Instant retryAt = Instant.MIN;
    private long claims;

    /** Ownership through {@code coordinator}; null or a single-node one means no cluster. */
    Ownership(Fleet f, Coordinator coordinator) {
        this.f = f;
        this.coordinator = coordinator instanceof io.litefleet.core.cluster.SingleNodeCoordinator ? null
                : coordinator;
        this.epoch = this.coordinator == null ? null : this.coordinator.session();
        this.foreign = this.coordinator == null ? null : new PackedHashIndex();
    }

    /** Sets what resumes rows after their claims and starts listening (listener calls go to the inbox). */
    void start(Resume r) {
        this.resume = r;
        if (coordinator == null) {
            return;
        }
        coordinator.listen(new OwnershipListener() {
            @Override
            public void released(String location) {
                f.inbox.accept(() -> onReleased(location));
            }

            @Override
            public void releasesMissed() {
                f.inbox.accept(Ownership.this::onMissed);
            }

            @Override
            public void sessionLost(Session session) {
                f.inbox.accept(() -> onLost(session));
            }

            @Override
            public void sessionRestored(Session session) {
                f.inbox.accept(() -> onRestored(session));
            }
        });
        // A session granted between this fleet's construction and listen() was announced to no one.
        f.inbox.accept(() -> {
            Session now = coordinator.session();
            if (now.id() != epoch.id() && now.valid()) {
                onRestored(now);
            }
        });
    }

    /** Whether another instance may own some rows. */
    boolean clustered() {
        return coordinator != null;
    }

    /** Whether the session the rows' tokens belong to is not valid now (writes refused); false without a cluster. */
    boolean fenced() {
        return coordinator != null && !(epoch.id() == coordinator.session().id() && epoch.valid());
    }

    /** Claim requests sent. */
    long claims() {
        return claims;
    }

    /**
     * Whether row {@code id} may write to {@code targets} now; if not, it waits for a claim, which does {@code wants}
     * once it is owned. Single-node mode: always.
     */
    boolean ready(int id, int wants) {
        if (coordinator == null || f.table.token(id) != 0 && !fenced()) {
            return true;
        }
        // Not owned, or fenced: waits (a fenced pass would only fail at its first write). Once the same session is
        // back the row resumes with its token and no request; after a new one it is claimed.
        waiting.merge(id, wants, (a, b) -> a | b);
        return false;
    }

    /**
     * Row {@code id} needs no pass now (unchanged since the last run) but must still be owned here: a claim with
     * nothing to resume, so that a restarted instance holds its cold databases again, or learns they are held
     * elsewhere. Single-node mode: nothing.
     */
    void claimIdle(int id) {
        if (coordinator != null && f.table.token(id) == 0) {
            waiting.merge(id, 0, (a, b) -> a | b);
        }
    }

    /** {@code targets} fenced by row {@code id}'s claim ({@link Fence#NONE} without a cluster). */
    List<ReplicaTarget> fenced(int id, List<ReplicaTarget> targets) {
        if (coordinator == null) {
            return targets;
        }
        Fence fence = new Fence(epoch, epoch.id(), f.table.token(id), coordinator.instanceId());
        return targets.stream().map(t -> t.withFence(fence)).toList();
    }

    /** Sends claim batches for the rows waiting, up to {@link #IN_FLIGHT} at once, unless a backoff holds them. */
    void drain() {
        if (coordinator == null) {
            return;
        }
        if (draining) {
            return; // resuming a row below calls back here: the loop below goes on instead
        }
        draining = true;
        try {
            retryReleases();
            if (f.clock.instant().isBefore(retryAt) || fenced()) {
                return; // fenced: a claim cannot succeed; the session's return (onRestored) lets them go
            }
            while (inFlight < IN_FLIGHT && !waiting.isEmpty() && !fenced() && sendBatch()) {
                // one batch of up to BATCH locations a round
            }
        } finally {
            draining = false;
        }
    }

    /** Sends one batch of the rows waiting; false when none could go (all wait for a release to finish). */
    private boolean sendBatch() {
        List<int[]> rows = new ArrayList<>(); // {id, wants, first ownable, ownables}
        List<Ownable> batch = new ArrayList<>();
        List<int[]> ownedAlready = new ArrayList<>();
        List<int[]> later = new ArrayList<>();
        boolean progress = false;
        var it = waiting.entrySet().iterator();
        while (it.hasNext() && batch.size() < BATCH) {
            var e = it.next();
            int id = e.getKey();
            it.remove();
            RowState state = f.lifecycle.state(id);
            if (state == RowState.DELETED || state == RowState.EXCLUDED || state == RowState.FOREIGN) {
                progress = true;
                continue; // nothing to claim for: gone, or held elsewhere (its release claims it)
            }
            if (f.table.token(id) != 0) {
                ownedAlready.add(new int[] {id, e.getValue()}); // claimed by an earlier batch meanwhile
                continue;
            }
            List<Ownable> own = ownables(id);
            if (own.isEmpty()) {
                progress = true;
                continue; // gone or unresolvable: the pass or promotion that resolves it says why
            }
            if (claiming.contains(id) || !releasingLocations.isEmpty() && own.stream().anyMatch(o ->
                    releasingLocations.contains(o.location()))) {
                // its claim is out (what it wants now is applied after it), or claimed once this instance's
                // release of one of its locations is done
                later.add(new int[] {id, e.getValue()});
                continue;
            }
            rows.add(new int[] {id, e.getValue(), batch.size(), own.size()});
            batch.addAll(own);
        }
        later.forEach(l -> waiting.merge(l[0], l[1], (a, b) -> a | b));
        ownedAlready.forEach(o -> resume.owned(o[0], o[1])); // after the walk: resuming may queue more claims
        if (batch.isEmpty()) {
            return progress || !ownedAlready.isEmpty();
        }
        inFlight++;
        claims++;
        rows.forEach(r -> claiming.add(r[0]));
        long since = releaseEvents;
        inFlightSince.add(since);
        f.scheduler.execute(() -> claimOnWorker(batch, rows)).whenComplete((r, err) ->
                f.inbox.accept(() -> claimed(rows, since, r, err)));
        return true;
    }

    /**
     * On a worker: claims the batch; a row that got only some of its locations gives them back at once, so another
     * instance can take the whole row.
     */
    private List<Claim> claimOnWorker(List<Ownable> batch, List<int[]> rows) {
        try {
            List<Claim> out = coordinator.claim(batch);
            for (int[] row : rows) {
                List<Claim> mine = out.subList(row[2], row[2] + row[3]);
                if (mine.stream().anyMatch(c -> c instanceof Claim.HeldBy)) {
                    for (int k = 0; k < mine.size(); k++) {
                        if (mine.get(k) instanceof Claim.Owned o) {
                            coordinator.release(batch.get(row[2] + k), o.token());
                        }
                    }
                }
            }
            return out;
        } catch (CoordinationException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Fleet thread: the batch's outcome, row by row. */
    private void claimed(List<int[]> rows, long since, List<Claim> out, Throwable err) {
        inFlight--;
        inFlightSince.remove(Long.valueOf(since));
        rows.forEach(r -> claiming.remove(r[0]));
        if (err != null) {
            Throwable why = Failure.unwrap(err);
            why = why instanceof java.io.UncheckedIOException u ? u.getCause() : why;
            failures++;
            retryAt = f.clock.instant().plusMillis(SyncScheduler.backoffMillis(failures));
            if (failures == 1) {
                LOG.log(System.Logger.Level.WARNING, "cluster: cannot claim " + rows.size() + " database(s) now "
                        + "(retrying with backoff; their WAL is kept): " + why.getMessage(),
                        Failure.of(why) == Failure.BUG ? why : null);
            }
            for (int[] row : rows) {
                waiting.merge(row[0], row[1], (a, b) -> a | b);
            }
            pruneReleasedDuringClaims();
            return;
        }
        failures = 0;
        retryAt = Instant.MIN;
        for (int[] row : rows) {
            outcome(row[0], row[1], out.subList(row[2], row[2] + row[3]), since);
        }
        pruneReleasedDuringClaims();
        drain(); // the next batch at once, also when this one found every row held elsewhere
    }

    /** Drops the releases no batch in flight was sent before. */
    private void pruneReleasedDuringClaims() {
        long oldest = inFlightSince.stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
        releasedDuringClaims.values().removeIf(seq -> seq <= oldest);
    }

    private void outcome(int id, int wants, List<Claim> mine, long since) {
        long token = 0;
        String holder = null;
        for (Claim c : mine) {
            switch (c) {
                case Claim.Owned o -> {
                    if (o.session().id() != coordinator.session().id()) {
                        // Claimed under a session that has ended since: the token means nothing now (and the
                        // epoch must not go back to that session). Claimed again under the current one.
                        waiting.merge(id, wants, (a, b) -> a | b);
                        return;
                    }
                    if (o.session().id() != epoch.id()) {
                        newEpoch(o.session());
                    }
                    token = Math.max(token, o.token());
                }
                case Claim.HeldBy h -> holder = h.instance() + " (token " + h.token() + ")";
            }
        }
        RowState s = f.lifecycle.state(id);
        List<String> held = mine.stream().filter(c -> c instanceof Claim.HeldBy).map(Claim::location).toList();
        if (!held.isEmpty() && held.stream().anyMatch(l -> releasedDuringClaims.getOrDefault(l, -1L) > since)) {
            waiting.merge(id, wants, (a, b) -> a | b); // its holder let go after answering: claimed again
            return;
        }
        if (holder != null) {
            if (s == RowState.COLD || s == RowState.QUEUED) {
                LOG.log(System.Logger.Level.INFO, f.table.path(id) + ": replicated by instance " + holder
                        + ", not here; taken over when it lets go");
                f.lifecycle.move(id, RowState.FOREIGN);
                for (String l : held) { // only what others hold: its own locations given back do not wake it
                    foreign.add(id, l.hashCode());
                }
                resume.foreign(id, holder);
            }
            return;
        }
        f.table.token(id, token);
        if (s == RowState.DELETED || s == RowState.EXCLUDED) {
            releaseIfOwned(id); // gone while its claim was out
        } else {
            resume.owned(id, wants);
        }
    }

    /** A new session: tokens of the old one mean nothing, and the hot rows' fences are void. */
    private void newEpoch(Session s) {
        epoch = s;
        lost = false;
        deferredReleases.values().forEach(l -> l.forEach(o -> releasingLocations.remove(o.location())));
        deferredReleases.clear();
        unreleased.removeIf(u -> { // the old session's keys ended with it
            if (u.sessionId() != s.id()) {
                u.locations().forEach(o -> releasingLocations.remove(o.location()));
                return true;
            }
            return false;
        });
        f.table.clearTokens();
        resume.fencesVoid();
    }

    /**
     * Row {@code id} is gone or excluded (its final sync ran): gives its locations up so another instance can take it
     * at once. A release that fails is tried again with backoff while the session it was claimed in lasts.
     */
    void releaseIfOwned(int id) {
        long token = f.table.token(id);
        if (coordinator == null || token == 0) {
            return;
        }
        List<Ownable> own = ownables(id);
        if (f.lifecycle.busy(id)) {
            // Released after its final sync. Until then no other row may claim these locations: the claim would
            // find the key on this session and get the same token, which the release would then delete under it.
            deferredReleases.put(id, own);
            own.forEach(o -> releasingLocations.add(o.location()));
            return;
        }
        List<Ownable> held = deferredReleases.remove(id);
        if (held != null) {
            held.stream().filter(o -> !own.contains(o)).forEach(o -> releasingLocations.remove(o.location()));
        }
        f.table.token(id, 0);
        if (!own.isEmpty()) {
            release(List.of(new Unreleased(f.table.path(id).toString(), own, token, epoch.id())));
        }
    }

    /** Sends {@code batch} on a worker; what fails comes back to {@link #unreleased}. */
    private void release(List<Unreleased> batch) {
        releasing = true;
        batch.forEach(u -> u.locations().forEach(o -> releasingLocations.add(o.location())));
        f.scheduler.execute(() -> {
            List<Unreleased> failed = new ArrayList<>();
            Exception why = null;
            for (Unreleased u : batch) {
                try {
                    for (Ownable o : u.locations()) {
                        coordinator.release(o, u.token());
                    }
                } catch (CoordinationException e) {
                    failed.add(u);
                    why = e;
                }
            }
            return new Released(failed, why);
        }).whenComplete((r, err) -> f.inbox.accept(() -> released(batch, r, err)));
    }

    /** Fleet thread: the outcome of {@link #release(List)}. */
    private void released(List<Unreleased> batch, Released r, Throwable err) {
        releasing = false;
        List<Unreleased> failed = err != null ? batch : r.failed();
        long current = coordinator.session().id();
        for (Unreleased u : batch) {
            if (!failed.contains(u) || u.sessionId() != current) { // done, or its keys ended with its session
                u.locations().forEach(o -> releasingLocations.remove(o.location()));
            }
        }
        drain(); // rows that waited for these releases may claim now
        if (failed.isEmpty()) {
            releaseFailures = 0;
            return;
        }
        Throwable why = err != null ? Failure.unwrap(err) : r.why();
        releaseFailures++;
        releaseRetryAt = f.clock.instant().plusMillis(SyncScheduler.backoffMillis(releaseFailures));
        failed.stream().filter(u -> u.sessionId() == current).forEach(unreleased::add);
        if (releaseFailures == 1) {
            LOG.log(System.Logger.Level.WARNING, "cluster: cannot release the replica location(s) of "
                    + failed.size() + " database(s) now, for example " + failed.getFirst().path() + " (retrying with "
                    + "backoff; another instance takes them when this session ends at the latest): "
                    + why.getMessage());
        }
    }

    /** Sends the failed releases again once their backoff is over (one request batch at a time). */
    private void retryReleases() {
        if (unreleased.isEmpty() || releasing || fenced() || f.clock.instant().isBefore(releaseRetryAt)) {
            return;
        }
        long current = coordinator.session().id();
        List<Unreleased> batch = unreleased.stream().filter(u -> u.sessionId() == current).toList();
        unreleased.stream().filter(u -> u.sessionId() != current)
                .forEach(u -> u.locations().forEach(o -> releasingLocations.remove(o.location())));
        unreleased.clear();
        if (!batch.isEmpty()) {
            release(batch);
        }
    }

    /** Releases not done yet (tests). */
    int unreleased() {
        return unreleased.size();
    }

    /** A release to send: a gone row's locations, its claim's token and the session it was claimed in. */
    private record Unreleased(String path, List<Ownable> locations, long token, long sessionId) {
    }

    /** What a release batch left undone, and why. */
    private record Released(List<Unreleased> failed, Exception why) {
    }

    /** A FOREIGN row left that state by itself (deleted, excluded): forget where it was. */
    void leftForeign(int id) {
        if (foreign == null) {
            return;
        }
        for (Ownable o : ownables(id)) {
            foreign.remove(id, o.location().hashCode());
        }
    }

    /** Some instance gave up {@code location}: the FOREIGN row that uses it is claimed now. */
    private void onReleased(String location) {
        releaseEvents++;
        int id = foreign.find(location.hashCode(), row -> f.lifecycle.state(row) == RowState.FOREIGN
                && ownables(row).stream().anyMatch(o -> o.location().equals(location)));
        if (id < 0) {
            if (inFlight > 0) { // a claim out now may have been answered "held" before this
                releasedDuringClaims.put(location, releaseEvents);
            }
            return;
        }
        LOG.log(System.Logger.Level.INFO, f.table.path(id) + ": released by its owner; claiming it");
        wake(id);
    }

    /** FOREIGN row {@code id} may be free now: it leaves that state and its pass claims first (its token is 0). */
    private void wake(int id) {
        leftForeign(id);
        f.lifecycle.move(id, RowState.COLD);
        resume.owned(id, PASS);
    }

    /**
     * The coordinator could not replay some releases: every FOREIGN row may be free now, so each is claimed again
     * (its pass claims first: its token is 0). Rare (a watch history compacted away); costs one claim per 128 rows.
     */
    private void onMissed() {
        int n = 0;
        for (int id = 0; id < f.table.size(); id++) {
            if (f.lifecycle.state(id) == RowState.FOREIGN) {
                wake(id);
                n++;
            }
        }
        if (n > 0) {
            LOG.log(System.Logger.Level.INFO, "cluster: releases may have been missed: " + n + " database(s) held "
                    + "by other instances are claimed again");
        }
    }

    private void onLost(Session s) {
        if (epoch.id() != s.id()) {
            return;
        }
        lost = true;
        // Tokens stay: every write checks the session anyway, and when the same session comes back (keep-alives
        // answered again before the lease expired) every key is still held, so a database deleted meanwhile must
        // still be released. A new session (the lease ended) clears them (newEpoch).
        LOG.log(System.Logger.Level.WARNING, "cluster: session " + Long.toHexString(s.id()) + " of "
                + coordinator.instanceId() + " is not known to be alive: every upload and delete stops (fenced), the "
                + "WAL is kept; replication resumes when the session is back");
    }

    private void onRestored(Session s) {
        boolean same = s.id() == epoch.id();
        if (!same || lost) {
            LOG.log(System.Logger.Level.INFO, "cluster: session " + Long.toHexString(s.id()) + " is alive" + (same
                    ? " again (the lease lasted): what it held is still held, uploads resume"
                    : ", a new lease: databases are claimed again at their next pass"));
        }
        lost = false;
        retryAt = Instant.MIN;
        releaseRetryAt = Instant.MIN;
        if (s.id() != epoch.id()) {
            newEpoch(s);
        }
        // No FOREIGN row is tried again here: releases made while the service was away reach us when the
        // coordinator's watch resumes (etcd replays them from its history; after a compaction: onMissed).
    }

    /** The locations of row {@code id}: each destination's; empty when it cannot be resolved now. */
    private List<Ownable> ownables(int id) {
        try {
            DiscoveredDatabase db = f.discovery.match(f.table.path(id));
            if (db == null) {
                return List.of();
            }
            String path = f.table.path(id).toString();
            return f.resolver.resolveAll(db).stream().map(t -> new Ownable(t.describe(), path)).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
