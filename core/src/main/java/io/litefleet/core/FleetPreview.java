package io.litefleet.core;

import io.litefleet.api.ConfigException;
import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.core.config.CollisionDetector;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.fleet.TargetResolver;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.ReplicaOverlaps;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A configuration's fleet as the daemon would see it, without replicating: the same plugins, discovery and replica
 * templates ({@code litefleet config check}), and the destinations of a database that is gone ({@code litefleet
 * prune}). Nothing is started; {@link #scan()} makes no storage request. Not thread-safe; the caller closes it.
 */
public final class FleetPreview implements AutoCloseable {
    private final LitefleetConfig config;
    private final PluginRegistry registry;
    private final ReplicaClients clients;
    private final FleetConfig fleet;
    private final Discovery patterns;
    private final LeavingOutDiscovery discovery;
    private final TargetResolver resolver;
    private final Path stateDir;

    private FleetPreview(LitefleetConfig config, PluginRegistry registry, ReplicaClients clients, FleetConfig fleet,
                         Discovery patterns, LeavingOutDiscovery discovery, TargetResolver resolver, Path stateDir) {
        this.stateDir = stateDir;
        this.config = config;
        this.registry = registry;
        this.clients = clients;
        this.fleet = fleet;
        this.patterns = patterns;
        this.discovery = discovery;
        this.resolver = resolver;
    }

    /**
     * Checks {@code config} as the daemon does at start (plugins, replica keys, tiering policy, hot-tier descriptor
     * budget) and prepares its discovery.
     *
     * @param stateDir   the state directory the fleet leaves out
     * @param pluginsDir drop-in plugin jars, or empty for the default
     * @throws ConfigException naming the file, key and value
     */
    public static FleetPreview open(LitefleetConfig config, Path stateDir, Optional<Path> pluginsDir) throws IOException {
        PluginRegistry registry = PluginRegistry.open(pluginsDir);
        try {
            ReplicaClients clients = new ReplicaClients(registry);
            config.dbs().forEach(d -> d.replicas().forEach(clients::check));
            if (config.fleet().isEmpty()) {
                return new FleetPreview(config, registry, clients, null, null, null, null, stateDir);
            }
            FleetConfig f = config.fleet().get();
            f.replicaTemplates().forEach(t -> clients.check(t.base()));
            FleetWiring.checkDescriptorBudget(f, FleetWiring.fleetWorkers(f));
            registry.tieringPolicy(f.tiering().policy().type(), f.origin()).create(f.tiering().policy().settings());
            Discovery patterns = FleetWiring.discovery(f, registry);
            LeavingOutDiscovery discovery = LeavingOutDiscovery.of(patterns, f.excludedPaths(), stateDir);
            TargetResolver resolver = FleetWiring.resolver(f, f.replicaTemplates(), clients, new ReplicaOverlaps());
            return new FleetPreview(config, registry, clients, f, patterns, discovery, resolver, stateDir);
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /**
     * A database the configuration replicates, or one it finds and does not.
     *
     * @param path        the database file
     * @param source      {@code dbs:}, or the pattern or directory entry that found it
     * @param replicas    where it replicates, one URL (or type and path) per destination
     * @param replicaPath its replica path within the destination (every destination's, one a line)
     * @param refusal     why it is not replicated, if it is not
     */
    public record Found(Path path, String source, List<String> replicas, String replicaPath,
                        Optional<String> refusal) {
        /** Validates and copies. */
        public Found {
            Objects.requireNonNull(path, "path");
            replicas = List.copyOf(replicas);
            Objects.requireNonNull(refusal, "refusal");
        }
    }

    /**
     * Every {@code dbs:} database, then every database the fleet's patterns and directory entries find now, each
     * with its destinations or why it is not replicated (left out, a replica path unusable, a replica path shared
     * with another database: every database of such a collision). Walks the patterns' directories; no storage
     * request, no file opened beyond a header check.
     */
    public List<Found> scan() throws IOException {
        List<Found> out = new ArrayList<>();
        for (DbConfig db : config.dbs()) {
            out.add(new Found(db.path(), "dbs:", db.replicas().stream().map(FleetPreview::describe).toList(), "",
                    Optional.empty()));
        }
        if (fleet == null) {
            return out;
        }
        List<Found> found = new ArrayList<>();
        patterns.scan(db -> found.add(found(db)));
        CollisionDetector collisions = CollisionDetector.create(new CollisionDetector.Lookup() {
            @Override
            public Path path(int i) {
                return found.get(i).path();
            }

            @Override
            public String pattern(int i) {
                return found.get(i).source();
            }

            @Override
            public String replicaPath(int i) {
                return found.get(i).replicaPath();
            }
        });
        for (int i = 0; i < found.size(); i++) {
            Found f = found.get(i);
            if (f.refusal().isEmpty()) {
                collisions.add(i, f.replicaPath()).ifPresent(c -> c.databases().forEach(m -> {
                    Found member = found.get(m.index());
                    found.set(m.index(), new Found(member.path(), member.source(), member.replicas(),
                            member.replicaPath(), Optional.of(c.message())));
                }));
            }
        }
        found.sort(java.util.Comparator.comparing(Found::path));
        out.addAll(found);
        return out;
    }

    /**
     * What the daemon would warn about at start: a template variable no placeholder uses (databases differing only
     * in it would collide), a pattern that matches the state directory, top-level replica keys no backend takes.
     */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        List<ReplicaConfig> all = new ArrayList<>();
        config.dbs().forEach(d -> all.addAll(d.replicas()));
        if (fleet != null) {
            out.addAll(FleetWiring.warnings(fleet, patterns, stateDir));
            fleet.replicaTemplates().forEach(t -> all.add(t.base()));
        }
        out.addAll(clients.unusedDefaults(all));
        return out;
    }

    private Found found(DiscoveredDatabase db) {
        Optional<String> leftOut = discovery.whyLeftOut(db.path());
        if (leftOut.isPresent()) {
            return new Found(db.path(), db.pattern(), List.of(), "", leftOut);
        }
        try {
            String replicaPath = resolver.replicaPath(db);
            List<String> urls = FleetWiring.replicas(fleet, db).stream().map(FleetPreview::describe).toList();
            return new Found(db.path(), db.pattern(), urls, replicaPath, Optional.empty());
        } catch (RuntimeException e) {
            return new Found(db.path(), db.pattern(), List.of(), "", Optional.of("replica path unusable: "
                    + e.getMessage()));
        }
    }

    /**
     * A configured replica as a listing shows it: its URL, else one built from its type, its bucket, container or
     * host, and its path ({@code file:///backups/t1}, {@code s3://bucket/t1}).
     */
    private static String describe(ReplicaConfig rc) {
        return rc.url().map(Object::toString).orElseGet(() -> {
            var b = rc.backend();
            String where = b.string("bucket").or(() -> b.string("container")).or(() -> b.string("host")).orElse("");
            String path = b.string("path").orElse("");
            return rc.type() + "://" + where + (path.startsWith("/") || path.isEmpty() ? "" : "/") + path;
        });
    }

    /**
     * What pruning did (or would do) at one destination of a gone database.
     *
     * @param replica the destination and replica path, as the catalog names it
     * @param objects objects under the replica path (deleted unless a dry run or skipped)
     * @param bytes   their total size
     * @param skipped why nothing was deleted there, if so
     */
    public record Removal(String replica, int objects, long bytes, Optional<String> skipped) {
        /** Validates. */
        public Removal {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(skipped, "skipped");
        }
    }

    /**
     * Deletes every object under the replica path of {@code db} at each destination in {@code recorded} (the
     * catalog's names of where it replicated) that the configuration still resolves it to. A destination the
     * configuration no longer names, or a database no pattern covers any more, is skipped with the reason: what the
     * catalog recorded and what the configuration says must agree before anything is deleted.
     *
     * @param stillGone asked right before each destination's deletion; false stops (the database came back)
     */
    public List<Removal> removeReplicas(Path db, Collection<String> recorded, boolean dryRun,
                                        BooleanSupplier stillGone) throws IOException {
        DiscoveredDatabase match = discovery == null ? null : discovery.match(db);
        if (match == null) {
            return recorded.stream().map(r -> new Removal(r, 0, 0, Optional.of("no multi-db: pattern or dir: entry "
                    + "of the config covers it any more"))).toList();
        }
        List<ReplicaTarget> targets = resolver.resolveAll(match);
        List<Removal> out = new ArrayList<>();
        for (String r : recorded) {
            Optional<ReplicaTarget> t = targets.stream().filter(x -> x.describe().equals(r)).findFirst();
            if (t.isEmpty()) {
                out.add(new Removal(r, 0, 0, Optional.of("the config no longer replicates it there (it resolves to "
                        + targets.stream().map(ReplicaTarget::url).toList() + ")")));
                continue;
            }
            out.add(remove(db, t.get(), r, dryRun, stillGone));
        }
        return out;
    }

    private Removal remove(Path db, ReplicaTarget t, String name, boolean dryRun, BooleanSupplier stillGone)
            throws IOException {
        // The trailing slash keeps tenant1 from taking tenant10's objects.
        List<ObjectInfo> objects = t.client().list(t.path().isEmpty() ? "" : t.path() + "/");
        long bytes = objects.stream().mapToLong(ObjectInfo::size).sum();
        if (dryRun || objects.isEmpty()) {
            return new Removal(name, objects.size(), bytes, Optional.empty());
        }
        if (!stillGone.getAsBoolean()) {
            return new Removal(name, objects.size(), bytes, Optional.of("the database exists again"));
        }
        if (config.cluster().clustered()) {
            // A claim only proves nobody holds the path now: a cold, unchanged database on another instance's host
            // holds no key after that instance restarts, and this replica would be its only copy.
            return new Removal(name, objects.size(), bytes, Optional.of("not deleted: in cluster mode a database "
                    + "gone from this host may live on another instance's host; prune with a config without the "
                    + "cluster: section once you know it is gone everywhere"));
        }
        List<String> keys = objects.stream().map(ObjectInfo::key).toList();
        for (int i = 0; i < keys.size(); i += 1000) {
            t.delete(keys.subList(i, Math.min(keys.size(), i + 1000)));
        }
        return new Removal(name, objects.size(), bytes, Optional.empty());
    }

    /** Closes the discovery, clients and plugins. Idempotent. */
    @Override
    public void close() {
        try {
            if (discovery != null) {
                discovery.close();
            }
        } finally {
            try {
                clients.close();
            } finally {
                registry.close();
            }
        }
    }
}
