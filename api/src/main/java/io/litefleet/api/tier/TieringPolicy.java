package io.litefleet.api.tier;

/**
 * Decides promotion and demotion. A pure function of the sample: no I/O, no clock reads, no state, so it can be
 * called for many databases from any thread.
 */
public interface TieringPolicy {
    /** The decision for one database. */
    TierDecision decide(AccessSample sample);
}
