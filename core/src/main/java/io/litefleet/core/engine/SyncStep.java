package io.litefleet.core.engine;

import io.litefleet.core.replica.LtxFileRef;
import java.io.IOException;

/**
 * A step of a sync split at its upload ({@link DbReplicator#beginSync()}): either done, or an upload the caller runs
 * wherever network I/O belongs (off the SQLite threads), then hands back to {@link DbReplicator#uploaded}.
 */
public sealed interface SyncStep permits SyncStep.Done, SyncStep.Upload {

    /** The sync ended (whatever it shipped went up inline). */
    record Done(SyncResult result) implements SyncStep {
    }

    /**
     * One LTX file, encoded in memory, to upload before the replicator may go on. Nothing about the replicator has
     * changed yet: if the upload fails, the position is as it was and the next sync tries again.
     */
    final class Upload implements SyncStep {
        final DbReplicator owner;
        final LtxPublisher file;
        final byte[] bytes;
        final Object token;
        final Runnable commit;
        final SyncResult before;
        LtxFileRef ref;

        Upload(DbReplicator owner, LtxPublisher file, byte[] bytes, Object token, Runnable commit,
               SyncResult before) {
            this.owner = owner;
            this.file = file;
            this.bytes = bytes;
            this.token = token;
            this.commit = commit;
            this.before = before;
        }

        /** Bytes this upload holds in memory (for the caller's bound on bytes in flight). */
        public long size() {
            return bytes.length;
        }

        /** Where it goes: the replica client, shared by every database with that destination (compare by identity). */
        public Object destination() {
            return file.destination();
        }

        /** Performs the upload, blocking on the network; any thread. */
        public void run() throws IOException {
            ref = file.upload(bytes);
        }
    }
}
