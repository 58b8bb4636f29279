package io.litefleet.core.cli;

import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.LitefleetConfig;
import io.litefleet.core.engine.ReplicaClients;
import io.litefleet.core.engine.ReplicaTarget;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.restore.ReplicaSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** A database listed in a config file's {@code dbs:}, found by its path. */
record ConfigReplicaSource(Path config, DbConfig db) implements ReplicaSource {

    /** The database configured at {@code dbPath} in {@code config}, or a clear error listing what is there. */
    static ConfigReplicaSource find(Path config, Path dbPath) {
        LitefleetConfig c = LitefleetConfig.load(config.toAbsolutePath());
        Path wanted = dbPath.toAbsolutePath().normalize();
        return c.dbs().stream().filter(d -> d.path().equals(wanted)).findFirst()
                .map(d -> new ConfigReplicaSource(config, d))
                .orElseThrow(() -> new UserException(config + ": no database " + wanted + " under dbs: (configured: "
                        + (c.dbs().isEmpty() ? "none" : c.dbs().stream().map(d -> d.path().toString())
                        .collect(Collectors.joining(", "))) + ")"));
    }

    @Override
    public Opened open(PluginRegistry registry) throws IOException {
        ReplicaClients clients = new ReplicaClients(registry);
        ReplicaTarget target = clients.resolve(db.replica());
        return new Opened(target);
    }

    @Override
    public String describe() {
        return db.path() + " (" + config + ")";
    }
}
