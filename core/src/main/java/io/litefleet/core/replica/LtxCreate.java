package io.litefleet.core.replica;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Writes one LTX file under a {@link ReplicaTarget}. Without a cluster (fencing token 0) this is a plain put, so
 * objects and requests are exactly as before. With a token it is a conditional create ({@link PutOptions#ifAbsent()}),
 * so a late put by a stale owner never replaces a file that a newer owner wrote, and a newer owner never silently
 * builds on a stale owner's file. When the key is taken, the existing file's header (one ranged GET) decides:
 *
 * <ul>
 *   <li>a higher token: a newer owner wrote it, this instance is the stale one: {@link ReplicaFailure#FENCED};</li>
 *   <li>the same file (an identical header, or a level-0 upload of the same WAL segment: same offset, size and
 *       salts, hence the same frames and pages): our own earlier attempt succeeded (its answer was lost), or an
 *       equivalent one did: success, nothing more is written;</li>
 *   <li>a lower token (0: written before the cluster): a stale owner's file: deleted (this instance owns the path),
 *       counted ({@link StaleFiles}), logged at WARNING, and the file is created again;</li>
 *   <li>our own token with other content: written by this very claim earlier: replaced, as without a cluster;</li>
 *   <li>not an LTX file: {@link ReplicaFailure#PRECONDITION_FAILED} naming the object, nothing is replaced.</li>
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
public final class LtxCreate {
    private static final System.Logger LOG = System.getLogger(LtxCreate.class.getName());
    /** Creates tried before giving up on a key that keeps being taken (each try may find another stale file). */
    private static final int ATTEMPTS = 3;

    private LtxCreate() {
    }

    /** What the file found under the key is, compared with ours. */
    enum Verdict {
        /** Written by a newer owner: we are fenced. */
        NEWER,
        /** Our own file, or one with the same content. */
        SAME,
        /** A stale owner's: delete it and create ours. */
        STALE,
        /** Our own claim's, other content: overwrite it. */
        OWN_OTHER,
        /** Gone since the create failed: create again. */
        GONE
    }

    /**
     * Writes {@code body}, an LTX file with header {@code ours}, under {@code key}.
     *
     * @param where where a stale file found here is counted ({@link StaleFiles.Where#UPLOAD} or
     *              {@link StaleFiles.Where#COMPACTION})
     * @throws ReplicaException as {@link ReplicaTarget#put}, {@link ReplicaFailure#FENCED} when a newer owner wrote
     *                          the key, {@link ReplicaFailure#PRECONDITION_FAILED} when the key holds something that
     *                          is not an LTX file or stays taken
     */
    public static void put(ReplicaTarget target, String key, ObjectBody body, PutOptions options, LtxHeader ours,
                           StaleFiles.Where where) throws IOException {
        long token = target.fence().token();
        if (token == 0) {
            target.put(key, body, options);
            return;
        }
        PutOptions create = new PutOptions(true, options.metadata(), options.guard());
        for (int attempt = 1; ; attempt++) {
            ReplicaException taken;
            try {
                target.put(key, body, create);
                return;
            } catch (ReplicaException e) {
                if (e.failure() != ReplicaFailure.PRECONDITION_FAILED) {
                    throw e;
                }
                taken = e;
            }
            Optional<LtxHeader> theirs = header(target, key, taken);
            switch (judge(ours, token, theirs)) {
                case NEWER -> throw new ReplicaException(ReplicaFailure.FENCED, target.url(key) + ": not written: a "
                        + "newer owner (fencing token " + theirs.orElseThrow().nodeId() + ") wrote it; this instance "
                        + "(token " + token + ") no longer owns the replica path");
                case SAME -> {
                    return;
                }
                case OWN_OTHER -> {
                    target.put(key, body, options);
                    return;
                }
                case STALE -> {
                    StaleFiles.count(where);
                    LOG.log(System.Logger.Level.WARNING, "{0}: a stale owner''s file (fencing token {1}, ours {2}) "
                            + "held the key: deleted, writing ours", target.url(key),
                            Long.toUnsignedString(theirs.orElseThrow().nodeId()), Long.toString(token));
                    target.delete(List.of(key));
                }
                case GONE -> {
                    // deleted since the create failed: create again
                }
            }
            if (attempt == ATTEMPTS) {
                throw new ReplicaException(ReplicaFailure.PRECONDITION_FAILED, target.url(key) + ": not written: "
                        + "the key was still taken after " + ATTEMPTS + " conditional creates", taken);
            }
        }
    }

    /** How the file under the key ({@code theirs}, empty when gone) relates to ours, written with {@code token}. */
    static Verdict judge(LtxHeader ours, long token, Optional<LtxHeader> theirs) {
        if (theirs.isEmpty()) {
            return Verdict.GONE;
        }
        LtxHeader h = theirs.get();
        if (Long.compareUnsigned(h.nodeId(), token) > 0) {
            return Verdict.NEWER;
        }
        boolean sameSegment = ours.walOffset() > 0 && h.walOffset() == ours.walOffset()
                && h.walSize() == ours.walSize() && h.walSalt1() == ours.walSalt1() && h.walSalt2() == ours.walSalt2()
                && h.minTxid() == ours.minTxid() && h.maxTxid() == ours.maxTxid() && h.pageSize() == ours.pageSize();
        if (sameSegment || h.equals(ours)) {
            return Verdict.SAME;
        }
        return h.nodeId() == token ? Verdict.OWN_OTHER : Verdict.STALE;
    }

    /** The header of the file under {@code key}; empty when it is gone. Not an LTX file: the create's failure. */
    private static Optional<LtxHeader> header(ReplicaTarget target, String key, ReplicaException taken)
            throws IOException {
        try {
            return LtxHeaders.read(target, key);
        } catch (LtxFormatException e) {
            ReplicaException r = new ReplicaException(ReplicaFailure.PRECONDITION_FAILED, target.url(key)
                    + ": not written: the key holds an object that is not an LTX file (" + e.getMessage()
                    + "); remove it if it does not belong to this replica", e);
            r.addSuppressed(taken);
            throw r;
        }
    }
}
