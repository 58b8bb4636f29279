package io.litefleet.api.tier;

/** Replication tier of a database. */
public enum Tier {
    /** Streamed: open connection, every commit shipped within about a sync interval. */
    HOT,
    /** Tracked only: a small record, no open file, no thread, no requests. */
    COLD
}
