package io.litefleet.core.engine;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.util.Locale;
import java.util.concurrent.CompletionException;

/**
 * Why a sync failed, as the {@code kind} label of the sync-error metric spells it: a closed set. A replica's answer
 * keeps its {@link io.litefleet.api.replica.ReplicaFailure} kind; anything else says which side failed.
 */
public enum SyncErrorKind {
    // A replica's answer, by its failure kind (the replica's own I/O failure is replica-io).
    NOT_FOUND(ReplicaFailure.NOT_FOUND), PRECONDITION_FAILED(ReplicaFailure.PRECONDITION_FAILED),
    THROTTLED(ReplicaFailure.THROTTLED), UNAVAILABLE(ReplicaFailure.UNAVAILABLE), AUTH(ReplicaFailure.AUTH),
    INVALID(ReplicaFailure.INVALID), REPLICA_IO(ReplicaFailure.IO),
    /** This instance may no longer own the replica path (cluster mode): nothing was written. */
    FENCED(ReplicaFailure.FENCED),
    /** The database cannot be replicated as it is (missing, not in WAL mode, page size changed). */
    NOT_REPLICABLE(null),
    /** Reading the database or its WAL failed. */
    LOCAL_IO(null),
    /** A bug: an unchecked exception. */
    INTERNAL(null);

    private final ReplicaFailure failure;

    SyncErrorKind(ReplicaFailure failure) {
        this.failure = failure;
    }

    /** The kind of {@code t}, looking through the wrapper futures add. */
    public static SyncErrorKind of(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof ReplicaException r) {
            for (SyncErrorKind k : values()) {
                if (k.failure == r.failure()) {
                    return k;
                }
            }
            return REPLICA_IO;
        }
        if (c instanceof NotReplicableException) {
            return NOT_REPLICABLE;
        }
        if (c instanceof java.io.IOException || c instanceof java.io.UncheckedIOException) {
            return LOCAL_IO;
        }
        return INTERNAL;
    }

    /** The label value: lower case, words joined by {@code -} ({@code not-found}, {@code local-io}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
