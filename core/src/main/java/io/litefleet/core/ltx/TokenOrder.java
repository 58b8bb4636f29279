package io.litefleet.core.ltx;

/**
 * The fencing-token rule along one restore chain (cluster mode): a file's header node id is its writer's token, and
 * tokens never decrease as TXIDs grow, because ownership of a replica path only passes to a higher token. A file
 * whose token is lower than one seen earlier in the chain was written by a stale owner (one that kept writing after
 * it lost the path). Token 0 (files from before the cluster, or single node) is never judged and raises nothing.
 * Feed the chain's headers oldest first. Not thread-safe; one per chain.
 */
public final class TokenOrder {
    private long highest;

    /**
     * Takes the next file's token.
     *
     * @return the earlier, higher token when {@code token} is stale; 0 when it is in order (or 0)
     */
    public long next(long token) {
        if (token == 0) {
            return 0;
        }
        if (Long.compareUnsigned(token, highest) < 0) {
            return highest;
        }
        highest = token;
        return 0;
    }
}
