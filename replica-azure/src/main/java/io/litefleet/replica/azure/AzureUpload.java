package io.litefleet.replica.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One upload of a body to a block blob, written the way upstream writes LTX files (content type
 * {@code application/octet-stream}, Hot tier). A body up to one block is one Put Blob; a larger one is staged block
 * by block, each block a replayable array (so the SDK may retry it) in one reused buffer, and published by Put
 * Block List, so the blob appears whole or not at all and at most one block is ever in memory. A body that yields
 * more or fewer bytes than it declared is refused before anything is published, and so is an upload whose
 * {@link PutOptions.Guard} refuses right before the publishing request (staged blocks are never committed, and Azure
 * discards them). SDK failures propagate as thrown; the caller maps them. Used once, from one thread.
 */
final class AzureUpload {
    private static final BlobHttpHeaders HEADERS = new BlobHttpHeaders().setContentType("application/octet-stream");
    private static final int MAX_BLOCKS = 50_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BlockBlobClient blob;
    private final String key;
    private final ObjectBody body;
    private final AzureErrors errors;
    private final PutOptions.Guard guard;

    AzureUpload(BlockBlobClient blob, String key, ObjectBody body, AzureErrors errors, PutOptions.Guard guard) {
        this.blob = blob;
        this.key = key;
        this.body = body;
        this.errors = errors;
        this.guard = guard;
    }

    /** One Put Blob of the whole body, read into one array. */
    BlockBlobItem whole(Map<String, String> metadata, BlobRequestConditions conditions) throws ReplicaException {
        byte[] data = new byte[(int) body.length()];
        try (InputStream in = body.open()) {
            readBlock(in, data, data.length, 0);
            expectEnd(in);
        } catch (IOException e) {
            throw sourceFailed(e);
        }
        guard.check(); // the commit point
        return blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(data))
                .setHeaders(HEADERS).setMetadata(metadata).setTier(AccessTier.HOT)
                .setRequestConditions(conditions), bound(), Context.NONE).getValue();
    }

    /** Put Block for each {@code blockSize} bytes (more for huge bodies), then Put Block List. */
    BlockBlobItem blocks(int blockSize, Map<String, String> metadata, BlobRequestConditions conditions)
            throws ReplicaException {
        long length = body.length();
        int block = (int) Math.max(blockSize, (length + MAX_BLOCKS - 1) / MAX_BLOCKS);
        byte[] buffer = new byte[block];
        byte[] upload = new byte[16]; // this upload's block-ID prefix: concurrent writers of a key never mix blocks
        RANDOM.nextBytes(upload);
        List<String> ids = new ArrayList<>();
        try (InputStream in = body.open()) {
            for (long sent = 0; sent < length; ) {
                int n = (int) Math.min(block, length - sent);
                readBlock(in, buffer, n, sent);
                String id = blockId(upload, ids.size());
                blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id,
                        BinaryData.fromByteBuffer(ByteBuffer.wrap(buffer, 0, n))), null, Context.NONE);
                ids.add(id);
                sent += n;
            }
            expectEnd(in);
        } catch (IOException e) {
            throw sourceFailed(e);
        }
        guard.check(); // the commit point
        return blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids).setHeaders(HEADERS)
                .setMetadata(metadata).setTier(AccessTier.HOT).setRequestConditions(conditions), bound(),
                Context.NONE).getValue();
    }

    /**
     * The time the commit request may take, the SDK's own retries (which come after the check) included: what the
     * guard has left (in cluster mode, until the owner's session could expire), or no bound (null).
     */
    private java.time.Duration bound() {
        long left = guard.remainingNanos();
        return left == Long.MAX_VALUE ? null : java.time.Duration.ofNanos(Math.max(left, 1_000_000));
    }

    /** Fills {@code buffer[0..n)} from the body, or fails naming how short it was. */
    private void readBlock(InputStream in, byte[] buffer, int n, long offset) throws IOException {
        int got = in.readNBytes(buffer, 0, n);
        if (got < n) {
            throw errors.of(ReplicaFailure.INVALID, "put", key, "body yielded " + (offset + got)
                    + " bytes but declared " + body.length());
        }
    }

    private void expectEnd(InputStream in) throws IOException {
        if (in.read() >= 0) {
            throw errors.of(ReplicaFailure.INVALID, "put", key, "body yielded more than the " + body.length()
                    + " bytes it declared");
        }
    }

    private ReplicaException sourceFailed(IOException e) {
        return e instanceof ReplicaException r ? r
                : new ReplicaException(ReplicaFailure.IO, errors.where(key) + ": put: reading the body failed: "
                + e.getMessage(), e);
    }

    /** Block IDs must all have the same length within a blob: 16 random bytes plus a 4-byte index, in base64. */
    private static String blockId(byte[] upload, int index) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(20).put(upload).putInt(index).array());
    }
}
