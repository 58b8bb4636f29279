package io.litefleet.api.tier;

/** What a {@link TieringPolicy} wants done with one database. */
public enum TierDecision {
    /** Make it hot (ignored when already hot). */
    PROMOTE,
    /** Make it cold after a final sync (ignored when already cold). */
    DEMOTE,
    /** Leave it in its tier. */
    STAY
}
