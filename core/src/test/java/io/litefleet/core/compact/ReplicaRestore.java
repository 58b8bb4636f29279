package io.litefleet.core.compact;

import io.litefleet.core.replica.TestRestore;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestorePlanner;
import io.litefleet.core.restore.RestoreTarget;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A test-only restore: lists every level, plans with {@link RestorePlanner}, applies the plan's files in order. */
final class ReplicaRestore {
    private ReplicaRestore() {
    }

    /** Every LTX file of the replica. */
    static List<LtxFileRef> list(ReplicaTarget target) throws IOException {
        return TestRestore.list(target);
    }

    /** The restored state and the TXID it is at, or empty when nothing within the target exists. */
    static Optional<Restored> restore(ReplicaTarget target, RestoreTarget what) throws IOException {
        Optional<RestorePlan> plan = RestorePlanner.plan(list(target), what);
        if (plan.isEmpty()) {
            return Optional.empty();
        }
        PageState state = new PageState();
        for (LtxFileRef f : plan.get().files()) {
            try (InputStream in = target.client().get(target.key(f.level(), f.minTxid(), f.maxTxid()))) {
                state.apply(in);
            }
        }
        return Optional.of(new Restored(plan.get(), state));
    }

    record Restored(RestorePlan plan, PageState state) {
    }
}
