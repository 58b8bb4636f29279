package io.litefleet.core.engine;

import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.LtxHeaders;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import java.io.IOException;
import java.util.Optional;
import java.util.List;
import io.litefleet.core.replica.ReplicaTarget;

/** Reads what a replica holds before a database's first upload in this process. */
final class ReplicaScan {
    private ReplicaScan() {
    }

    /** The highest TXID in any level of the replica, 0 when it is empty. One LIST. */
    static long maxTxid(ReplicaTarget target) throws IOException {
        return ReplicaListing.list(target, RetryPolicy.DEFAULT).stream().mapToLong(LtxFileRef::maxTxid).max()
                .orElse(0);
    }

    /** The header of the LTX file {@code min..max} at {@code level}, or empty when it is absent or unreadable. */
    static Optional<LtxHeader> header(ReplicaTarget target, int level, long min, long max) throws IOException {
        try {
            return LtxHeaders.read(target, target.key(level, min, max));
        } catch (LtxFormatException e) {
            return Optional.empty(); // not a file we could have written
        }
    }
}
