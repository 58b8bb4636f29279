package io.litefleet.core.compact;

import io.litefleet.api.replica.PutOptions;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.LtxCreate;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.StaleFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Merges LTX files of one database's replica into one file at a destination level and uploads it, as upstream's
 * {@code Compactor.Compact} does: inputs are streamed from the replica (one GET per input per pass, see
 * {@link LtxMerger#prepare}) unless the caller still holds their bytes (recent level-0 uploads), the output is written under {@code <level>/<min>-<max>.ltx} with the
 * {@code litestream-timestamp} of its header (the last input's timestamp) and the compactor's fencing token as its
 * node id (with a token, as a conditional create: {@link LtxCreate}). Inputs are never deleted here.
 *
 * <p>Thread-safe if the target's client is (clients are); holds no state between calls.
 */
public final class Compactor {
    private final ReplicaTarget target;
    private final int memoryLimit;
    private final Function<LtxFileRef, Optional<byte[]>> held;

    private Compactor(ReplicaTarget target, int memoryLimit, Function<LtxFileRef, Optional<byte[]>> held) {
        this.target = Objects.requireNonNull(target, "target");
        this.held = Objects.requireNonNull(held, "held");
        if (memoryLimit < 0) {
            throw new IllegalArgumentException("memory limit must not be negative: " + memoryLimit);
        }
        this.memoryLimit = memoryLimit;
    }

    /** A compactor for {@code target} that keeps outputs up to {@link LtxMerger#DEFAULT_MEMORY_LIMIT} in memory. */
    public static Compactor create(ReplicaTarget target) {
        return new Compactor(target, LtxMerger.DEFAULT_MEMORY_LIMIT, f -> Optional.empty());
    }

    /** A compactor for {@code target} that keeps outputs up to {@code memoryLimit} bytes in memory. */
    public static Compactor create(ReplicaTarget target, int memoryLimit) {
        return new Compactor(target, memoryLimit, f -> Optional.empty());
    }

    /**
     * A compactor that reads an input from {@code held} when it gives the input's bytes (exactly the stored
     * object's), and from the replica otherwise.
     */
    public static Compactor create(ReplicaTarget target, int memoryLimit,
            Function<LtxFileRef, Optional<byte[]>> held) {
        return new Compactor(target, memoryLimit, held);
    }

    /**
     * Merges {@code inputs} (any levels, oldest first, contiguous) into one file at {@code dstLevel} and uploads it.
     * A level-9 output must be a full snapshot, so its first input must start at TXID 1 (a snapshot).
     *
     * @return the uploaded file; its {@code createdAt} is the header timestamp, which is also its
     *         {@code litestream-timestamp}
     * @throws IllegalArgumentException if the inputs are empty or not contiguous, or a snapshot is asked for
     *                                  without a snapshot first
     * @throws io.litefleet.api.replica.ReplicaException if reading an input or the upload fails
     * @throws LtxFormatException       if an input is corrupt or does not match its name
     */
    public LtxFileRef compact(List<LtxFileRef> inputs, int dstLevel) throws IOException {
        checkInputs(inputs, dstLevel);
        boolean snapshot = dstLevel == LtxFileRef.SNAPSHOT_LEVEL;
        List<LtxSource> sources = new ArrayList<>(inputs.size());
        for (LtxFileRef f : inputs) {
            String key = target.key(f.level(), f.minTxid(), f.maxTxid());
            Optional<byte[]> bytes = held.apply(f);
            sources.add(bytes.isPresent() ? () -> new ByteArrayInputStream(bytes.get())
                    : () -> target.client().get(key));
        }
        LtxMerger.MergedFile merged = LtxMerger.prepare(sources, snapshot, memoryLimit, target.fence().token());
        LtxHeader h = merged.header();
        long min = inputs.get(0).minTxid();
        long max = inputs.get(inputs.size() - 1).maxTxid();
        if (h.minTxid() != min || h.maxTxid() != max) {
            throw new LtxFormatException(String.format("input headers span TXIDs %x-%x but their names span %x-%x",
                    h.minTxid(), h.maxTxid(), min, max));
        }
        Instant createdAt = Instant.ofEpochMilli(h.timestamp());
        String key = target.key(dstLevel, min, max);
        LtxCreate.put(target, key, merged.body(), PutOptions.DEFAULT.withTimestamp(createdAt), h,
                StaleFiles.Where.COMPACTION);
        return new LtxFileRef(dstLevel, min, max, createdAt, merged.length());
    }

    private static void checkInputs(List<LtxFileRef> inputs, int dstLevel) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("at least one input file is required");
        }
        if (dstLevel < 1 || dstLevel > LtxFileRef.SNAPSHOT_LEVEL) {
            throw new IllegalArgumentException("destination level must be 1..9: " + dstLevel);
        }
        for (int i = 1; i < inputs.size(); i++) {
            LtxFileRef prev = inputs.get(i - 1);
            LtxFileRef f = inputs.get(i);
            if (!LtxMerger.isContiguous(prev.maxTxid(), f.minTxid(), f.maxTxid())) {
                throw new IllegalArgumentException("inputs are not contiguous: " + prev + " then " + f);
            }
        }
        if (dstLevel == LtxFileRef.SNAPSHOT_LEVEL && inputs.get(0).minTxid() != 1) {
            throw new IllegalArgumentException("a snapshot must start from a snapshot (TXID 1), not " + inputs.get(0));
        }
    }
}
