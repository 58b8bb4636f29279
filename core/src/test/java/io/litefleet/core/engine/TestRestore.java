package io.litefleet.core.engine;

import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestorePlanner;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.replica.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import io.litefleet.core.replica.ReplicaTarget;

/** A minimal restore for engine tests: plan, decode every file (CRCs checked), write pages, truncate. */
final class TestRestore {
    private TestRestore() {
    }

    static List<LtxFileRef> list(ReplicaTarget t) throws IOException {
        return ReplicaListing.list(t, RetryPolicy.DEFAULT);
    }

    /** Restores into {@code out} (replaced); returns the TXID restored. */
    static long restore(ReplicaTarget t, RestoreTarget target, Path out) throws IOException {
        RestorePlan plan = RestorePlanner.plan(list(t), target).orElseThrow(() -> new IOException("nothing to restore"));
        Files.deleteIfExists(out);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            int pageSize = 0;
            int commit = 0;
            for (LtxFileRef f : plan.files()) {
                try (InputStream in = t.client().get(t.key(f.level(), f.minTxid(), f.maxTxid()))) {
                    LtxDecoder d = LtxDecoder.open(in);
                    pageSize = d.header().pageSize();
                    commit = d.header().commit();
                    byte[] page = new byte[pageSize];
                    int pgno;
                    while ((pgno = d.readPage(page)) != 0) {
                        ch.write(ByteBuffer.wrap(page), (long) (pgno - 1) * pageSize);
                    }
                    d.finish();
                }
            }
            ch.truncate((long) commit * pageSize);
        }
        return plan.txid();
    }
}
