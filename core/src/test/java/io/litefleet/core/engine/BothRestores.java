package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.litefleet.core.replica.ReplicaTarget;

/**
 * Restores a file replica with Litefleet's restorer and with stock {@code litestream restore} (v0.5.16), and asserts
 * that both give a database with the expected content hash that passes {@code PRAGMA integrity_check}.
 */
public final class BothRestores {
    private BothRestores() {
    }

    /** The latest state of the file replica in {@code replicaDir}, restored by both tools, equals {@code hash}. */
    public static void assertRestore(Path work, Path replicaDir, String hash, String what) throws Exception {
        ReplicaTarget target = new ReplicaTarget(new io.litefleet.core.file.FileReplicaClientProvider().create(
                io.litefleet.api.Settings.of("test", java.util.Map.of("root", replicaDir.toString()))),
                io.litefleet.api.replica.ReplicaLayout.LTX_DIRS, "");
        try {
            assertRestore(work, target, replicaDir, 0, hash, what);
        } finally {
            target.client().close();
        }
    }

    /** The latest state ({@code txid} 0) or the state at {@code txid}, restored by both tools, equals {@code hash}. */
    static void assertRestore(Path work, ReplicaTarget target, Path replicaDir, long txid, String hash, String what)
            throws Exception {
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        RestoreTarget at = txid == 0 ? RestoreTarget.latest() : new RestoreTarget.AtTxid(txid);
        Path ours = Files.createTempDirectory(work, "ours").resolve("ours.db");
        restorer.restore(target, restorer.plan(target, at, 4).orElseThrow(), RestoreOptions.of(ours));
        assertEquals(hash, DbContent.hash(ours), what + ": litefleet restore");
        assertEquals("ok", DbContent.integrityCheck(ours), what + ": litefleet restore");

        Path stock = Files.createTempDirectory(work, "stock").resolve("stock.db");
        List<String> cmd = new ArrayList<>(List.of(PeerTools.litestream().toString(), "restore", "-o",
                stock.toString()));
        if (txid != 0) {
            cmd.addAll(List.of("-txid", String.format("%016x", txid)));
        }
        cmd.add(replicaDir.toUri().toString());
        var res = PeerProcess.run(work, Duration.ofSeconds(60), cmd);
        assertEquals(0, res.exitCode(), what + ": litestream restore\n" + res.both());
        assertEquals(hash, DbContent.hash(stock), what + ": litestream restore");
        assertEquals("ok", DbContent.integrityCheck(stock), what + ": litestream restore");
    }
}
