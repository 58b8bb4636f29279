package io.litefleet.core.fleet;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of one database of a fleet. Every row of the fleet's table is in exactly one state, kept in four
 * bits of its row; {@link Lifecycle} applies every change and refuses one this enum does not allow.
 *
 * <pre>
 *            change (not active enough)        slot free                 done
 *   COLD ──────────────────────────▶ QUEUED ─────────────▶ PASS ─────────────────▶ COLD
 *    │  ◀── release ── SETTLING ◀── (replica behind, slot free)   │ failed: QUEUED (backoff) / REFUSED / FAILED
 *    │ change (active)                                         
 *    └────────────▶ HOT ── idle, evicted, deleted, excluded ──▶ CLOSING ── final sync ──▶ COLD
 *   any ──▶ DELETED (file gone) ──▶ COLD when it reappears;  any ──▶ EXCLUDED (replica path unusable or shared)
 *   COLD, QUEUED ── claim refused (cluster) ──▶ FOREIGN ── released by its holder ──▶ COLD (claimed again)
 * </pre>
 *
 * A HOT row leaves only through CLOSING (its final sync). DELETED and EXCLUDED may be entered while a worker still
 * holds the row (a pass, a settle, a final sync): the row's busy bit, kept apart from the state, makes the next
 * worker wait for that one.
 */
public enum RowState {
    /** Known, not replicating now; costs its row only. */
    COLD("cold"),
    /** Cold with a change waiting for a transient pass (open, sync, close). */
    QUEUED("cold"),
    /** In a transient pass on a worker. */
    PASS("cold"),
    /** Streaming: a replicator is scheduled. */
    HOT("hot"),
    /** Demoted: its final sync is running. */
    CLOSING("cold"),
    /** Its cold replica is being settled (compaction, snapshot, retention) on a worker. */
    SETTLING("cold"),
    /** The file is gone; its replica is kept. */
    DELETED("deleted"),
    /** Not replicated: its replica path is unusable or shared with another database. */
    EXCLUDED("excluded"),
    /** The engine refused it (not in WAL mode, unreadable); tried again at its next change. */
    REFUSED("refused"),
    /** Replicating it hit a bug; logged with its stack, tried again at its next change only. */
    FAILED("failed"),
    /**
     * Cluster mode: another instance owns its replica location, so this one does not replicate it (no upload, no WAL
     * held); claimed again when the holder releases it.
     */
    FOREIGN("foreign");

    private static final Map<RowState, Set<RowState>> NEXT = new EnumMap<>(RowState.class);

    static {
        allow(COLD, QUEUED, HOT, SETTLING, DELETED, EXCLUDED, REFUSED, FAILED, FOREIGN);
        allow(QUEUED, PASS, HOT, DELETED, EXCLUDED, REFUSED, FAILED, FOREIGN);
        allow(PASS, COLD, QUEUED, REFUSED, FAILED, DELETED, EXCLUDED);
        allow(HOT, CLOSING);
        allow(CLOSING, COLD, QUEUED, DELETED, EXCLUDED, FAILED);
        allow(SETTLING, COLD, DELETED, EXCLUDED);
        allow(DELETED, COLD);
        allow(EXCLUDED, COLD, DELETED);
        allow(REFUSED, COLD, DELETED, EXCLUDED);
        allow(FAILED, COLD, DELETED, EXCLUDED);
        allow(FOREIGN, COLD, DELETED, EXCLUDED);
    }

    private final String persisted;

    RowState(String persisted) {
        this.persisted = persisted;
    }

    private static void allow(RowState from, RowState... to) {
        NEXT.put(from, to.length == 0 ? EnumSet.noneOf(RowState.class) : EnumSet.of(to[0], to));
    }

    /** Whether a row may move from this state to {@code to}. */
    public boolean canMoveTo(RowState to) {
        return NEXT.get(this).contains(to);
    }

    /**
     * The name the catalog records ({@code litefleet databases} shows it): the states that outlive a step. The
     * in-between states of a cold row (queued, in a pass, settling, closing) are recorded as {@code cold}.
     */
    public String persisted() {
        return persisted;
    }

    /** Whether a worker may be holding the row in this state (a pass, a settle or a final sync). */
    public boolean isWork() {
        return this == PASS || this == SETTLING || this == CLOSING;
    }
}
