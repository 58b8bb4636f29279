package io.litefleet.core.replica;

import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestorePlanner;
import io.litefleet.core.restore.RestoreTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The tests' own minimal restore (it cannot live in testkit, which depends on api only so plugins can use it): plan, decode every file (CRCs checked), write pages, truncate. */
public final class TestRestore {
    private TestRestore() {
    }

    public static List<LtxFileRef> list(ReplicaTarget t) throws IOException {
        return ReplicaListing.list(t, RetryPolicy.DEFAULT);
    }

    /** Restores into {@code out} (replaced); returns the TXID restored. */
    public static long restore(ReplicaTarget t, RestoreTarget target, Path out) throws IOException {
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
