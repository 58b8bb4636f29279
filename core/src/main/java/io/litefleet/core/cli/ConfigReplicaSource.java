package io.litefleet.core.cli;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.DirectoryConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import java.util.List;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.restore.ReplicaSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A database of a config file, found by its path: listed under {@code dbs:}, in a directory-mode entry (placed
 * as upstream's directory mode places it), or matched by a {@code multi-db:} pattern and placed by the replica
 * template (upstream restores neither kind of discovered database by its path). The file need
 * not exist any more: the path alone decides.
 */
record ConfigReplicaSource(Path config, Path db, List<ReplicaConfig> listed, Optional<FleetConfig> fleet,
                           Optional<String> replicaName) implements ReplicaSource {

    /**
     * The database at {@code dbPath} in {@code config}, or a clear error listing what is configured. With several
     * destinations, {@code replicaName} chooses one; without it, {@link #open} takes the one holding the newest data.
     */
    static ConfigReplicaSource find(ConfigFile file, Path dbPath, Optional<String> replicaName) {
        LitefleetConfig c = file.load();
        Path config = file.path();
        Path wanted = dbPath.toAbsolutePath().normalize();
        Optional<DbConfig> db = c.dbs().stream().filter(d -> d.path().equals(wanted)).findFirst();
        if (db.isEmpty() && c.fleet().isEmpty()) {
            throw new UserException(config + ": no database " + wanted + " under dbs: (configured: "
                    + (c.dbs().isEmpty() ? "none" : c.dbs().stream().map(d -> d.path().toString())
                    .collect(Collectors.joining(", "))) + ") and no multi-db: section");
        }
        List<ReplicaConfig> listed = db.map(DbConfig::replicas).orElse(List.of());
        return new ConfigReplicaSource(config, wanted, listed, c.fleet(), replicaName);
    }

    @Override
    public Opened open(PluginRegistry registry) throws IOException {
        ReplicaClients clients = new ReplicaClients(registry);
        List<ReplicaConfig> candidates = named(listed.isEmpty() ? fromTemplate(registry) : listed);
        if (candidates.size() == 1) {
            return new Opened(clients.resolve(candidates.get(0)));
        }
        return new Opened(newest(clients, candidates));
    }

    /** The destination {@code -replica} names, or every one. */
    private List<ReplicaConfig> named(List<ReplicaConfig> all) {
        if (replicaName.isEmpty()) {
            return all;
        }
        return List.of(all.stream().filter(r -> r.name().equals(replicaName.get())).findFirst().orElseThrow(() ->
                new UserException(config + ": " + db + " has no replica named '" + replicaName.get()
                        + "' (its replicas: " + all.stream().map(ReplicaConfig::name)
                        .collect(Collectors.joining(", ")) + ")")));
    }

    /**
     * The destination whose newest LTX file is the most recent (each destination numbers its own TXIDs, so time is
     * what compares them); one that cannot be listed is passed over with a note on standard error.
     */
    private ReplicaTarget newest(ReplicaClients clients, List<ReplicaConfig> candidates) throws IOException {
        ReplicaTarget best = null;
        java.time.Instant bestAt = java.time.Instant.MIN;
        IOException last = null;
        for (ReplicaConfig rc : candidates) {
            ReplicaTarget t = clients.resolve(rc);
            try {
                java.time.Instant at = ReplicaListing.list(t, RetryPolicy.DEFAULT).stream()
                        .map(LtxFileRef::createdAt).max(java.util.Comparator.naturalOrder())
                        .orElse(java.time.Instant.MIN);
                if (best == null || at.isAfter(bestAt)) {
                    best = t;
                    bestAt = at;
                }
            } catch (IOException e) {
                System.err.println("litefleet: replica '" + rc.name() + "' of " + db + " cannot be listed ("
                        + e.getMessage() + "); choosing among the others");
                last = e;
            }
        }
        if (best == null) {
            throw last;
        }
        System.err.println("litefleet: restoring " + db + " from " + best.url()
                + " (the destination with the newest data; -replica NAME chooses another)");
        return best;
    }

    private List<ReplicaConfig> fromTemplate(PluginRegistry registry) {
        FleetConfig f = fleet.orElseThrow();
        if (!f.directories().isEmpty()) {
            try (Discovery dirs = registry.discovery("glob", f.origin()).create(io.litefleet.api.Settings.of(
                    f.origin(), java.util.Map.of("patterns", f.directories().stream()
                            .map(DirectoryConfig::glob).toList())))) {
                DiscoveredDatabase match = dirs.match(db);
                if (match != null) {
                    return f.directory(match.pattern()).orElseThrow().replicasFor(db);
                }
            }
        }
        if (f.patterns().isEmpty()) {
            throw new UserException(config + ": " + db + " is not listed under dbs: and is in none of its dir: "
                    + "entries (" + f.directories().stream().map(DirectoryConfig::describe)
                    .collect(Collectors.joining(", ")) + ")");
        }
        try (Discovery discovery = registry.discovery(f.discovery().type(), f.origin())
                .create(f.discovery().settings())) {
            DiscoveredDatabase match = discovery.match(db);
            if (match == null) {
                throw new UserException(config + ": " + db + " is not listed under dbs: and matches none of the "
                        + "multi-db: patterns " + f.patterns() + (f.directories().isEmpty() ? ""
                        : " nor any dir: entry"));
            }
            return f.replicaTemplates().stream().map(t -> t.resolve(match)).toList();
        }
    }

    @Override
    public String describe() {
        return db + " (" + config + ")";
    }
}
