package io.litefleet.core.cli;

import io.litefleet.core.config.DbConfig;
import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.GenerationsRestore;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Upstream's {@code restore-if-db-not-exists} (the container first-boot pattern): before {@code replicate} starts,
 * each such database that does not exist is restored to its latest state from its first replica, as upstream
 * does; a replica holding nothing yet is a first start and replication begins on whatever the application creates.
 * An LTX replica is tried first, then a Litestream v0.3 {@code generations/} one. Stateless.
 */
final class FirstBootRestore {
    private static final System.Logger LOG = System.getLogger("io.litefleet.replicate");
    private static final int PARALLELISM = 8;

    private FirstBootRestore() {
    }

    /**
     * Restores each of {@code dbs} that asks for it (or every one, with {@code all}) and does not exist.
     *
     * @throws IOException naming the database and replica when a replica holding data cannot be restored (a
     *                     replica that cannot be listed, a gap, a corrupt file): replication does not start then
     */
    static void run(List<DbConfig> dbs, boolean all, Optional<Path> pluginsDir, Clock clock) throws IOException {
        List<DbConfig> wanted = dbs.stream().filter(d -> all || d.restoreIfNotExists()).toList();
        if (wanted.isEmpty()) {
            return;
        }
        try (PluginRegistry registry = PluginRegistry.open(pluginsDir);
             ReplicaClients clients = new ReplicaClients(registry)) {
            for (DbConfig db : wanted) {
                if (Files.exists(db.path())) {
                    LOG.log(System.Logger.Level.INFO, db.path() + ": database exists, skipping restore");
                    continue;
                }
                ReplicaTarget replica = clients.resolve(db.replica());
                try {
                    restore(db.path(), replica, clock);
                } catch (IOException e) {
                    throw new IOException(db.path() + ": restore-if-db-not-exists: cannot restore from "
                            + replica.url() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static void restore(Path db, ReplicaTarget replica, Clock clock) throws IOException {
        LOG.log(System.Logger.Level.INFO, db + ": database does not exist: restoring it from " + replica.url()
                + " before replicating");
        Restorer restorer = Restorer.create(clock, RetryPolicy.DEFAULT);
        Optional<RestorePlan> plan = restorer.plan(replica, RestoreTarget.latest(), PARALLELISM);
        RestoreOptions options = RestoreOptions.of(db).withParallelism(PARALLELISM);
        if (plan.isPresent()) {
            RestoreResult r = restorer.restore(replica, plan.get(), options);
            LOG.log(System.Logger.Level.INFO, String.format("%s: restored TXID %016x from %s (%d files, %d bytes)",
                    db, r.txid(), replica.url(), r.files(), r.bytes()));
            return;
        }
        Optional<GenerationsRestore.Plan> v3 = GenerationsRestore.plan(replica, RestoreTarget.latest(),
                RetryPolicy.DEFAULT);
        if (v3.isPresent()) {
            GenerationsRestore.restore(replica, v3.get(), options, clock, RetryPolicy.DEFAULT);
            LOG.log(System.Logger.Level.INFO, db + ": restored Litestream v0.3 generation " + v3.get().generation()
                    + " from " + replica.url());
            return;
        }
        LOG.log(System.Logger.Level.INFO, db + ": no backup found in " + replica.url() + ", starting fresh");
    }
}
