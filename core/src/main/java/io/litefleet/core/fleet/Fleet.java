package io.litefleet.core.fleet;

import io.litefleet.api.discovery.Discovery;
import io.litefleet.core.state.Catalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the fleet's units share: the table and its lifecycle, the injected clock, discovery and targets, the
 * catalog, the options, the process's sync pool, the fleet thread's inbox (workers report back through it), and the
 * slots transient and settle passes share. Everything but the inbox and the capture count belongs to the fleet
 * thread.
 */
final class Fleet {
    final DbTable table;
    final Lifecycle lifecycle;
    final Clock clock;
    final Discovery discovery;
    final List<String> patterns;
    final TargetResolver resolver;
    final Catalog catalog;
    final FleetOptions options;
    final SyncScheduler scheduler;
    final Consumer<Runnable> inbox;
    final Instant epoch;
    /** Captures (whole-state uploads) by hot syncs and passes; workers count them. */
    final AtomicLong captures = new AtomicLong();
    /** The syncs and checkpoints of every fleet database, added up (metrics carry no database label). */
    final io.litefleet.core.engine.DbStats stats = new io.litefleet.core.engine.DbStats();
    /** Why rows were refused or failed, as logged (fleet thread; read for the status API, stale ones dropped). */
    final java.util.Map<Integer, String> errors = new java.util.HashMap<>();
    /** Which rows this instance owns in cluster mode (everything, at no cost, without a cluster). */
    final Ownership ownership;
    private int passes;

    Fleet(DbTable table, Clock clock, Discovery discovery, List<String> patterns, TargetResolver resolver,
          Catalog catalog, FleetOptions options, SyncScheduler scheduler, Consumer<Runnable> inbox,
          io.litefleet.api.cluster.Coordinator coordinator) {
        this.table = table;
        this.lifecycle = new Lifecycle(table, clock);
        this.clock = clock;
        this.discovery = discovery;
        this.patterns = List.copyOf(patterns);
        this.resolver = resolver;
        this.catalog = catalog;
        this.options = options;
        this.scheduler = scheduler;
        this.inbox = inbox;
        this.epoch = clock.instant();
        this.ownership = new Ownership(this, coordinator);
    }

    /** Seconds since the fleet started, by its clock (the table's time unit). */
    int nowSec() {
        return (int) Duration.between(epoch, clock.instant()).toSeconds();
    }

    /** Takes a pass slot if one is free. */
    boolean takeSlot() {
        if (passes >= options.maxTransient()) {
            return false;
        }
        passes++;
        return true;
    }

    /** Gives a pass slot back. */
    void giveSlot() {
        passes--;
    }

    /** Passes (transient and settle) running. */
    int running() {
        return passes;
    }
}
