package io.litefleet.core.cli;

import io.litefleet.core.config.ReplicaClients;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.restore.IntegrityCheck;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Restores many databases at once, each to the output directory followed by its absolute path, all to one target,
 * on a bounded pool of named platform threads ({@code litefleet-bulk-N}; the integrity check is SQLite work). Each
 * database is restored to a temp file, checked ({@code integrity_check}), renamed into place and only then recorded
 * in the {@link RestoreJournal}, so an interrupted run resumes where it stopped.
 */
final class BulkRestore {
    /** Files downloaded at once for each database: small databases are many, not large. */
    static final int FILES_PER_DATABASE = 2;

    /**
     * The flags of a bulk restore.
     *
     * @param outDir      where the databases go
     * @param target      latest or a time
     * @param parallelism databases restored at once
     * @param dryRun      plan only
     * @param force       replace existing outputs even outside a directory an earlier run wrote
     */
    record Options(Path outDir, RestoreTarget target, int parallelism, boolean dryRun, boolean force) {
        /** Validates. */
        Options {
            if (parallelism < 1) {
                throw new UserException("invalid --parallelism '" + parallelism + "': must be at least 1");
            }
            if (target instanceof RestoreTarget.AtTxid) {
                throw new UserException("-txid names a position in one database's history; a bulk restore takes "
                        + "several databases: use -timestamp to restore them all as of one time");
            }
        }

        /** The target as the journal records it. */
        String targetText() {
            return target instanceof RestoreTarget.AtTime t ? t.time().toString() : "latest";
        }
    }

    private final ReplicaClients clients;
    private final Restorer restorer;
    private final Options options;
    private final BulkProgress progress;

    BulkRestore(ReplicaClients clients, Restorer restorer, Options options, BulkProgress progress) {
        this.clients = clients;
        this.restorer = restorer;
        this.options = options;
        this.progress = progress;
    }

    /** Restores {@code databases}; the outcomes in the same order. */
    List<BulkOutcome> run(List<BulkDatabase> databases) throws IOException, InterruptedException {
        boolean resuming = RestoreJournal.existsIn(options.outDir());
        progress.start(databases.size(), (options.dryRun() ? "planning " : "restoring ") + databases.size()
                + " databases into " + options.outDir() + (resuming ? " (resuming: " + RestoreJournal.FILE_NAME
                + " found)" : ""));
        try (RestoreJournal journal = options.dryRun() ? null : RestoreJournal.open(options.outDir())) {
            return BoundedPool.map("bulk", options.parallelism(), databases, db -> {
                BulkOutcome o = one(db, journal, resuming);
                progress.finished(o);
                return o;
            });
        } finally {
            progress.end();
        }
    }

    private BulkOutcome one(BulkDatabase db, RestoreJournal journal, boolean resuming) {
        Path output = db.under(options.outDir());
        try {
            if (journal != null && journal.isDone(db.path(), options.targetText(), output)) {
                return new BulkOutcome(db.path(), BulkOutcome.Status.SKIPPED,
                        journal.entry(db.path()).orElseThrow().txid(), "done by an earlier run, file unchanged");
            }
            ReplicaTarget replica = clients.resolve(db.replica());
            Optional<RestorePlan> plan = restorer.plan(replica, options.target(), FILES_PER_DATABASE);
            if (plan.isEmpty()) {
                return options.target() instanceof RestoreTarget.AtTime t
                        ? new BulkOutcome(db.path(), BulkOutcome.Status.ABSENT, 0, "no state at or before " + t.time()
                                + " in " + replica.url())
                        : new BulkOutcome(db.path(), BulkOutcome.Status.FAILED, 0, "no backup files in "
                                + replica.url());
            }
            if (options.dryRun()) {
                return new BulkOutcome(db.path(), BulkOutcome.Status.PLANNED, plan.get().txid(),
                        plan.get().files().size() + " files to " + output);
            }
            RestoreResult r = restorer.restore(replica, plan.get(), RestoreOptions.of(output)
                    .withOverwrite(options.force() || resuming).withParallelism(FILES_PER_DATABASE)
                    .withCheck(IntegrityCheck.FULL));
            journal.record(db.path(), new RestoreJournal.Entry(options.targetText(), r.txid(),
                    RestoreJournal.sha256(output)));
            return new BulkOutcome(db.path(), BulkOutcome.Status.RESTORED, r.txid(), "");
        } catch (FileAlreadyExistsException e) {
            return new BulkOutcome(db.path(), BulkOutcome.Status.FAILED, 0, e.getFile() + " already exists and "
                    + options.outDir() + " has no " + RestoreJournal.FILE_NAME + " (not an earlier bulk restore's "
                    + "output); use -force to replace it");
        } catch (IOException | RuntimeException e) {
            return new BulkOutcome(db.path(), BulkOutcome.Status.FAILED, 0, String.valueOf(e.getMessage()));
        }
    }
}
