package io.litefleet.core.cli;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.Discovery;
import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.FleetConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.config.ReplicaConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.restore.ReplicaSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A database of a config file, found by its path: listed under {@code dbs:}, or matched by a {@code multi-db:}
 * pattern and placed by the replica template (which upstream cannot do for discovered databases). The file need
 * not exist any more: the path alone decides.
 */
record ConfigReplicaSource(Path config, Path db, Optional<ReplicaConfig> listed, Optional<FleetConfig> fleet)
        implements ReplicaSource {

    /** The database at {@code dbPath} in {@code config}, or a clear error listing what is configured. */
    static ConfigReplicaSource find(Path config, Path dbPath) {
        LitefleetConfig c = LitefleetConfig.load(config.toAbsolutePath());
        Path wanted = dbPath.toAbsolutePath().normalize();
        Optional<ReplicaConfig> listed = c.dbs().stream().filter(d -> d.path().equals(wanted)).findFirst()
                .map(DbConfig::replica);
        if (listed.isEmpty() && c.fleet().isEmpty()) {
            throw new UserException(config + ": no database " + wanted + " under dbs: (configured: "
                    + (c.dbs().isEmpty() ? "none" : c.dbs().stream().map(d -> d.path().toString())
                    .collect(Collectors.joining(", "))) + ") and no multi-db: section");
        }
        return new ConfigReplicaSource(config, wanted, listed, c.fleet());
    }

    @Override
    public Opened open(PluginRegistry registry) throws IOException {
        ReplicaConfig replica = listed.isPresent() ? listed.get() : fromTemplate(registry);
        return new Opened(new ReplicaClients(registry).resolve(replica));
    }

    private ReplicaConfig fromTemplate(PluginRegistry registry) {
        FleetConfig f = fleet.orElseThrow();
        try (Discovery discovery = registry.discovery(f.discovery().type(), f.origin())
                .create(f.discovery().settings())) {
            DiscoveredDatabase match = discovery.match(db);
            if (match == null) {
                throw new UserException(config + ": " + db + " is not listed under dbs: and matches none of the "
                        + "multi-db: patterns " + f.patterns());
            }
            return f.replicaTemplate().resolve(match);
        }
    }

    @Override
    public String describe() {
        return db + " (" + config + ")";
    }
}
