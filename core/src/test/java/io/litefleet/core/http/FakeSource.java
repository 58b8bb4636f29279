package io.litefleet.core.http;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A status source over an in-memory map (sorted by path), for router tests. */
final class FakeSource implements StatusSource {
    final TreeMap<String, DatabaseView> dbs = new TreeMap<>();
    final List<Path> promoted = new ArrayList<>();
    List<String> reasons = List.of();
    Optional<String> notReady = Optional.empty();
    /** Cluster mode's owners by location; null without a cluster. */
    TreeMap<String, io.litefleet.api.cluster.Owner> owners;
    /** Whether the coordinator cannot be read. */
    boolean ownersDown;

    static FakeSource of(String... paths) {
        FakeSource s = new FakeSource();
        for (String p : paths) {
            s.put(p, "cold", Optional.empty());
        }
        return s;
    }

    void put(String path, String tier, Optional<String> error) {
        dbs.put(path, new DatabaseView(path, tier, List.of(new DatabaseView.Replica("file:///r" + path, 3,
                Optional.of(Instant.parse("2026-01-02T03:04:05Z")))), Optional.empty(), error, 4096, 0, 0));
    }

    @Override
    public DatabasePage list(DatabaseQuery q) {
        List<DatabaseView> out = new ArrayList<>();
        for (DatabaseView v : (q.after().isPresent() ? dbs.tailMap(q.after().get(), false) : dbs).values()) {
            if (q.prefix().map(v.path()::startsWith).orElse(true) && q.state().map(v.state()::equals).orElse(true)) {
                if (out.size() == q.limit()) {
                    return new DatabasePage(out, true);
                }
                out.add(v);
            }
        }
        return new DatabasePage(out, false);
    }

    @Override
    public Optional<DatabaseView> get(Path db) {
        return Optional.ofNullable(dbs.get(db.toString()));
    }

    @Override
    public PromoteOutcome promote(Path db) {
        DatabaseView v = dbs.get(db.toString());
        if (v == null) {
            return PromoteOutcome.UNKNOWN;
        }
        promoted.add(db);
        return v.tier().equals("hot") ? PromoteOutcome.ALREADY_HOT : v.tier().equals("deleted")
                ? PromoteOutcome.NOT_PROMOTABLE : PromoteOutcome.ACCEPTED;
    }

    @Override
    public List<String> unhealthy() {
        return reasons;
    }

    @Override
    public Optional<String> notReady() {
        return notReady;
    }

    @Override
    public Optional<OwnersPage> owners(String after, int limit) throws io.litefleet.api.cluster.CoordinationException {
        if (ownersDown) {
            throw new io.litefleet.api.cluster.CoordinationException(true, "list owners at http://127.0.0.1:2379: "
                    + "connection refused");
        }
        return owners == null ? Optional.empty() : Optional.of(new OwnersPage("host-a", owners.tailMap(after, false)
                .values().stream().limit(limit).toList()));
    }

    @Override
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("known", dbs.size());
        return m;
    }
}
