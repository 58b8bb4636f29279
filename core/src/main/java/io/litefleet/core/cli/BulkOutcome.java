package io.litefleet.core.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What happened to one database in a bulk restore or {@code verify}.
 *
 * @param db     the database path; null for a replica path that maps to no database
 * @param status what happened
 * @param txid   the TXID restored (or recorded, when skipped); 0 when none
 * @param detail the reason of a failure or absence, else the output or a short note
 */
record BulkOutcome(Path db, Status status, long txid, String detail) {
    /** The kinds of outcome. */
    enum Status {
        /** Restored, integrity-checked and recorded in the journal. */
        RESTORED,
        /** Already done by an earlier run, and its file verified unchanged. */
        SKIPPED,
        /** No state at or before the requested time (created later); reported, not an error. */
        ABSENT,
        /** Would be restored ({@code --dry-run}). */
        PLANNED,
        /** Not restored; {@code detail} says why. */
        FAILED;

        /** Lower case, as printed and in JSON. */
        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates. */
    BulkOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    /** The JSON object of this outcome. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", db == null ? "" : db.toString());
        m.put("status", status.word());
        m.put("txid", txid == 0 ? "" : String.format("%016x", txid));
        m.put("detail", detail);
        return m;
    }

    /** One line, for progress and the summary. */
    String line() {
        return status.word() + " " + (db == null ? "" : db + " ") + (txid == 0 ? "" : String.format("TXID %016x ", txid))
                + (detail.isEmpty() ? "" : "(" + detail + ")");
    }
}
