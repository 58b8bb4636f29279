package io.litefleet.core.cli;

import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.Follower;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.restore.TxidFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code litefleet restore -f}: restores the latest state (or resumes a database an earlier follower left, from its
 * {@code -txid} record), then keeps it up to date from the replica every {@code -follow-interval} until SIGINT or
 * SIGTERM, which end it after the update being written, exit code 0 (during the first restore they interrupt it,
 * leaving nothing behind, exit code 1). As upstream: an existing output without a {@code -txid} record is refused,
 * never replaced (so {@code -f} typed for "force" loses nothing), {@code -force} is ignored, and Litestream v0.3 replicas are not followed.
 *
 * @param log where progress lines go (stderr under {@code -json})
 */
record RestoreFollow(ReplicaTarget replica, RestoreOptions options, Duration interval, PrintWriter log) {
    /** Upstream's default {@code -follow-interval}. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /**
     * Follows until stopped.
     *
     * @return the TXID the database holds at the end, or empty when the replica has nothing to restore
     */
    OptionalLong run(Restorer restorer) throws IOException {
        // A signal during the first restore interrupts it (the temp file is removed, exit 1, as upstream's cancelled
        // restore); once following, it ends the loop after the file being applied (exit 0).
        AtomicReference<Follower> following = new AtomicReference<>();
        Thread main = Thread.currentThread();
        try (StopSignals signals = StopSignals.install(() -> {
            Follower f = following.get();
            if (f != null) {
                f.stop();
            } else {
                main.interrupt();
            }
        })) {
            if (!Files.exists(options.output())) {
                Optional<RestorePlan> plan = restorer.plan(replica, RestoreTarget.latest(), options.parallelism());
                if (plan.isEmpty()) {
                    return OptionalLong.empty();
                }
                RestoreResult r = restorer.restore(replica, plan.get(), options.withOverwrite(false)
                        .withForReaders(true));
                TxidFile.write(options.output(), r.txid());
                log.printf("restored TXID %016x to %s: %d files, %d bytes in %.3fs%n", r.txid(),
                        options.output().toAbsolutePath(), r.files(), r.bytes(), r.duration().toNanos() / 1e9);
            }
            try (Follower follower = Follower.open(replica, options.output(), RetryPolicy.DEFAULT)) {
                following.set(follower);
                if (Thread.interrupted()) {
                    follower.stop(); // the signal came between the restore and now
                }
                return OptionalLong.of(follow(follower));
            }
        }
    }

    private long follow(Follower follower) {
        log.printf("following %s into %s from TXID %016x every %s; open it read-only; SIGINT or SIGTERM stops%n",
                replica.url(), options.output().toAbsolutePath(), follower.txid(), interval);
        log.flush();
        follower.run(interval, new Follower.Listener() {
            @Override
            public void applied(long from, long to) {
                log.printf("follow: applied TXID %016x to %016x%n", from + 1, to);
                log.flush();
            }

            @Override
            public void failed(IOException e) {
                log.println("follow: update failed, trying again: " + e.getMessage());
                log.flush();
            }
        });
        log.printf("follow mode stopped at TXID %016x%n", follower.txid());
        return follower.txid();
    }
}
