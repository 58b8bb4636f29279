package io.litefleet.core.compact;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.ltx.TokenOrder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;

/**
 * Merges a contiguous run of LTX files, oldest first, into one file with the result of applying them in order,
 * streaming: it never holds more than one page per input (see {@link MergeStream}).
 *
 * <p>The output is what ltx v0.5.2's {@code Compactor} writes with {@code HeaderFlagNoChecksum}, which is how
 * upstream Litestream compacts (compactor.go): per page the newest input wins, pages beyond the last input's commit
 * are dropped, the lock page never appears (no input may hold it); the header takes the page size and min TXID of
 * the first input, the commit, max TXID and timestamp of the last, has the no-checksum flag, zero checksums and no
 * WAL fields; its node id is the compactor's fencing token (0, as upstream's, without a cluster). Stock {@code litestream restore} v0.5.16 rejects files that track the rolling
 * checksum, so every merged file is a no-checksum file whatever its inputs were.
 *
 * <p>Stateless; thread-safe.
 */
public final class LtxMerger {
    /** Merged files up to this size are kept in memory for the upload; larger ones are merged twice. */
    public static final int DEFAULT_MEMORY_LIMIT = 16 << 20;

    private LtxMerger() {
    }

    /**
     * The header of the merge of files with these headers, oldest first, written by the node (fencing token)
     * {@code nodeId}.
     *
     * @throws PageSizeChangeException if the page sizes differ (files of two restore chains)
     * @throws StaleTokenException     if an input's fencing token (node id) is below an earlier input's
     * @throws ReplicaException         of kind {@link ReplicaFailure#FENCED} if an input's token is above
     *                                  {@code nodeId}: a newer owner wrote it, so this compactor is the stale one
     * @throws LtxFormatException if the TXIDs are not contiguous (each file must start at or before the TXID after
     *                            the previous one's last and end after it, ltx's {@code IsContiguous})
     */
    public static LtxHeader mergedHeader(List<LtxHeader> inputs, long nodeId)
            throws LtxFormatException, PageSizeChangeException, StaleTokenException, ReplicaException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("at least one input file is required");
        }
        TokenOrder tokens = new TokenOrder();
        tokens.next(inputs.get(0).nodeId());
        for (int i = 1; i < inputs.size(); i++) {
            LtxHeader prev = inputs.get(i - 1);
            LtxHeader h = inputs.get(i);
            long earlier = tokens.next(h.nodeId());
            if (earlier != 0) {
                throw new StaleTokenException(i, h.nodeId(), earlier);
            }
            if (prev.pageSize() != h.pageSize()) {
                throw new PageSizeChangeException(i, prev.pageSize(), h.pageSize());
            }
            if (!isContiguous(prev.maxTxid(), h.minTxid(), h.maxTxid())) {
                throw new LtxFormatException(String.format("non-contiguous transaction ids in input files: "
                        + "(%x,%x) -> (%x,%x)", prev.minTxid(), prev.maxTxid(), h.minTxid(), h.maxTxid()));
            }
        }
        for (int i = 0; nodeId != 0 && i < inputs.size(); i++) {
            if (Long.compareUnsigned(inputs.get(i).nodeId(), nodeId) > 0) {
                throw new ReplicaException(ReplicaFailure.FENCED, "input " + i + " was written with fencing token "
                        + Long.toUnsignedString(inputs.get(i).nodeId()) + ", above this compactor's "
                        + Long.toUnsignedString(nodeId) + ": another instance owns the replica path now, or etcd's "
                        + "revisions went back (a new etcd, or one restored from an older backup: docs/cluster.md)");
            }
        }
        LtxHeader first = inputs.get(0);
        LtxHeader last = inputs.get(inputs.size() - 1);
        return LtxHeader.builder().noChecksum(true).pageSize(first.pageSize()).commit(last.commit())
                .txids(first.minTxid(), last.maxTxid()).timestamp(last.timestamp()).nodeId(nodeId).build();
    }

    /** ltx's {@code IsContiguous}: a file {@code min..max} continues a chain that reached {@code prevMax}. */
    public static boolean isContiguous(long prevMax, long min, long max) {
        return Long.compareUnsigned(min, prevMax + 1) <= 0 && Long.compareUnsigned(max, prevMax) > 0;
    }

    /**
     * A stream over the merged file. The inputs are opened on the first read (or {@link MergeStream#header()}) and
     * closed when the stream ends or is closed; the caller closes the stream. Bad inputs surface as
     * {@link LtxFormatException}s from {@code read}, before the trailer is handed out.
     *
     * @param snapshot require the output to be a snapshot: the first input must start at TXID 1 and the inputs
     *                 together must hold every page up to the final commit
     */
    public static InputStream open(List<LtxSource> inputs, boolean snapshot) {
        return new MergeStream(inputs, snapshot, null, 0);
    }

    /**
     * Merges once to learn the output's header and length and returns a re-openable body for the upload.
     *
     * <p>An {@link ObjectBody} must know its length before the upload starts and may be opened again for a retry.
     * Up to {@code memoryLimit} bytes the merged file is simply kept in memory. Beyond it, the first pass only
     * counts bytes and each {@link ObjectBody#open()} merges again from the inputs (re-reading them from the
     * replica), checking that the result has the first pass's file checksum. This trades one extra read of the
     * inputs for never holding a database-sized copy, in memory or on local disk.
     *
     * @param inputs      the files, oldest first; each is opened once per pass
     * @param snapshot    see {@link #open}
     * @param memoryLimit the largest output kept in memory, in bytes
     */
    public static MergedFile prepare(List<LtxSource> inputs, boolean snapshot, int memoryLimit) throws IOException {
        return prepare(inputs, snapshot, memoryLimit, 0);
    }

    /** As {@link #prepare(List, boolean, int)}, the output's header carrying {@code nodeId} (a fencing token). */
    public static MergedFile prepare(List<LtxSource> inputs, boolean snapshot, int memoryLimit, long nodeId)
            throws IOException {
        List<LtxSource> sources = List.copyOf(inputs);
        if (memoryLimit < 0) {
            throw new IllegalArgumentException("memory limit must not be negative: " + memoryLimit);
        }
        try (MergeStream s = new MergeStream(sources, snapshot, null, nodeId)) {
            LtxHeader header = s.header();
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            long length = 0;
            for (int n; (n = s.read(buf, 0, buf.length)) > 0;) {
                length += n;
                if (kept != null && length <= memoryLimit) {
                    kept.write(buf, 0, n);
                } else {
                    kept = null;
                }
            }
            long checksum = s.trailer().fileChecksum();
            ObjectBody body = kept != null ? ObjectBody.of(kept.toByteArray())
                    : new TwoPassBody(sources, snapshot, length, checksum, nodeId);
            return new MergedFile(header, length, checksum, kept != null, body);
        }
    }

    /**
     * A merged file ready to upload.
     *
     * @param header       its header
     * @param length       its size in bytes
     * @param fileChecksum its trailer's file checksum
     * @param inMemory     whether the body is held in memory (otherwise each open merges again)
     * @param body         the bytes; thread-safe to open, each stream owned by its opener
     */
    public record MergedFile(LtxHeader header, long length, long fileChecksum, boolean inMemory, ObjectBody body) {
        /** Validates. */
        public MergedFile {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(body, "body");
        }
    }

    /** The second pass: each open merges the inputs again and fails unless it rebuilds the first pass's file. */
    private record TwoPassBody(List<LtxSource> sources, boolean snapshot, long length, long checksum, long nodeId)
            implements ObjectBody {
        @Override
        public InputStream open() {
            return new MergeStream(sources, snapshot, checksum, nodeId);
        }
    }
}
