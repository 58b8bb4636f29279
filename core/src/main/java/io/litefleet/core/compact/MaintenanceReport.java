package io.litefleet.core.compact;

import io.litefleet.core.replica.LtxFileRef;
import java.io.IOException;
import java.util.List;

/**
 * What one {@link Maintenance#runDue} call did, for metrics and tests.
 *
 * @param written  files uploaded (compactions and snapshots), in order
 * @param deleted  files deleted by retention
 * @param requests replica requests sent (LIST, GET, PUT, DELETE; a client's own retries are not seen)
 * @param failure  the failure that ended the run early, or null; the work left is retried by a later run
 */
public record MaintenanceReport(List<LtxFileRef> written, List<LtxFileRef> deleted, long requests,
        IOException failure) {
    /** Copies the lists. */
    public MaintenanceReport {
        written = List.copyOf(written);
        deleted = List.copyOf(deleted);
    }

    /** Whether the run touched the replica at all. */
    public boolean isIdle() {
        return requests == 0;
    }

    /** Snapshot files (level 9) the run wrote. */
    public int snapshots() {
        return (int) written.stream().filter(f -> f.level() == LtxFileRef.SNAPSHOT_LEVEL).count();
    }

    /** Whether the run ended with a failure. */
    public boolean failed() {
        return failure != null;
    }
}
