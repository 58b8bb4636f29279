package io.litefleet.core.fleet;

import io.litefleet.core.state.Catalog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where a fleet row changes state: {@link #move} checks the transition against {@link RowState},
 * counts promotions and demotions, and queues the catalog's record of every state that outlives a step
 * ({@link RowState#persisted()}), flushed by the fleet in one transaction per step. The busy bit (a worker holds the
 * row) and the two wishes a change may leave while a worker holds it (promote, pass again) are kept here too. Not
 * thread-safe: the fleet thread owns it.
 */
final class Lifecycle {
    private final DbTable table;
    private final Clock clock;
    private final List<Catalog.TierChange> changes = new ArrayList<>();
    private long promotions;
    private long demotions;

    Lifecycle(DbTable table, Clock clock) {
        this.table = table;
        this.clock = clock;
    }

    RowState state(int id) {
        return table.state(id);
    }

    /**
     * Moves row {@code id} to {@code to}. Staying in the same state does nothing.
     *
     * @throws IllegalStateException naming the database and both states when {@link RowState} does not allow it
     */
    void move(int id, RowState to) {
        RowState from = table.state(id);
        if (from == to) {
            return;
        }
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException(table.path(id) + ": illegal lifecycle transition " + from + " -> " + to);
        }
        table.store(id, to);
        int promoted = to == RowState.HOT ? 1 : 0;
        int demoted = from == RowState.HOT ? 1 : 0;
        promotions += promoted;
        demotions += demoted;
        if (!from.persisted().equals(to.persisted())) {
            changes.add(new Catalog.TierChange(table.path(id).toString(), to.persisted(), promoted, demoted,
                    clock.instant()));
        }
    }

    /**
     * Records a database of the catalog that has no row here as deleted: it vanished while no fleet ran (the
     * deletion lifecycle ages from now; a deletion recorded earlier keeps its time).
     */
    void recordGone(String path) {
        changes.add(new Catalog.TierChange(path, RowState.DELETED.persisted(), 0, 0, clock.instant()));
    }

    /** Whether a worker holds the row. */
    boolean busy(int id) {
        return table.busy(id);
    }

    /** A worker takes the row: no other pass, settle or replicator may start on it until {@link #release}. */
    void hold(int id) {
        if (table.busy(id)) {
            throw new IllegalStateException(table.path(id) + ": already held by a worker");
        }
        table.busy(id, true);
    }

    /** The worker let go of the row. */
    void release(int id) {
        table.busy(id, false);
    }

    /** Notes that a change wants the row promoted once it is free; returns whether it was not noted yet. */
    void wantPromotion(int id, boolean wanted) {
        table.promoteWhenFree(id, wanted);
    }

    boolean wantsPromotion(int id) {
        return table.promoteWhenFree(id);
    }

    /** Notes that a change wants another transient pass once the row is free. */
    void wantPass(int id, boolean wanted) {
        table.passAgain(id, wanted);
    }

    boolean wantsPass(int id) {
        return table.passAgain(id);
    }

    /** The catalog records queued since the last call, cleared (the caller writes them). */
    List<Catalog.TierChange> drainChanges() {
        List<Catalog.TierChange> out = List.copyOf(changes);
        changes.clear();
        return out;
    }

    /** Puts back records the catalog could not write (tried again at the next step). */
    void requeue(List<Catalog.TierChange> failed) {
        changes.addAll(0, failed);
    }

    long promotions() {
        return promotions;
    }

    long demotions() {
        return demotions;
    }

    /** Rows in {@code state}. */
    int count(RowState state) {
        return table.count(state);
    }
}
