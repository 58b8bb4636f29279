package io.litefleet.core;

import java.util.List;

/**
 * A snapshot of a running {@link Replication}'s counters.
 *
 * @param listed            databases given explicitly ({@code dbs:} entries and {@link Litefleet.Builder#database})
 * @param fleet             whether fleet mode ({@code multi-db:}) runs
 * @param known             fleet databases known (every state)
 * @param hot               fleet databases streamed now
 * @param cold              fleet databases known and not streamed (queued, in a pass, settling or closing included)
 * @param deleted           fleet databases whose file is gone (their replicas are kept)
 * @param notReplicated     fleet databases excluded, refused or failed
 * @param promotions        promotions to hot since start
 * @param demotions         demotions to cold since start
 * @param evictions         demotions to make room for another database
 * @param transients        transient passes (open, sync, close) started
 * @param backlog           databases waiting for a transient pass
 * @param running           transient and settle passes running
 * @param scans             discovery scans done
 * @param settles           cold replicas settled
 * @param settlesPending    settle passes still to come: cold replicas behind (compaction, a snapshot or retention
 *                          due now or at a known later time) and passes queued; 0 with {@code hot}, {@code backlog}
 *                          and {@code running} also 0 means the fleet has settled and sends no request until a
 *                          database changes
 * @param captures          whole-state uploads (a database's first sight, or continuity that could not be proven)
 * @param watching          whether discovery reacts to file-system events (else scans only)
 * @param watch             how far watching can be trusted: {@code healthy} (full scans only at the full-scan
 *                          interval), {@code lost-events}, {@code incomplete} or {@code off} (full scans at the scan
 *                          interval); empty without a fleet
 * @param unmatchedPatterns fleet patterns the last scan found nothing under
 * @param foreign           cluster mode: fleet databases another instance replicates (0 without a cluster)
 * @param cluster           cluster mode: this instance's ownership and session in one line (fenced or not, databases
 *                          owned, last keep-alive); empty without a {@code cluster:} section
 */
public record ReplicationStatus(int listed, boolean fleet, int known, int hot, int cold, int deleted,
                                int notReplicated, long promotions, long demotions, long evictions, long transients,
                                int backlog, int running, long scans, long settles, int settlesPending, long captures,
                                boolean watching, String watch,
                                List<String> unmatchedPatterns, int foreign, String cluster) {
    /** Copies. */
    public ReplicationStatus {
        unmatchedPatterns = List.copyOf(unmatchedPatterns);
        java.util.Objects.requireNonNull(cluster, "cluster");
    }
}
