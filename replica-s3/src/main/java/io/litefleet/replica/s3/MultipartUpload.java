package io.litefleet.replica.s3;

import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * One multipart upload: CreateMultipartUpload, the parts in order, CompleteMultipartUpload; on any failure an
 * AbortMultipartUpload, so no parts are left to pay for. S3 publishes the object only at completion, so a failed
 * upload never leaves a partial object, and {@code If-None-Match: *} on the completion makes a conditional create
 * atomic. The put's guard is checked right before the completion.
 *
 * <p>Parts stream straight from the body ({@link BodySlices}), one at a time: no part is buffered, so an upload
 * holds no more memory than a copy loop, whatever its size. (Upstream's uploader buffers {@code concurrency} parts
 * to send them in parallel; Litefleet gets its parallelism from the many databases uploading at once.)
 * Not thread-safe: one instance per upload.
 */
final class MultipartUpload {
    /** S3's limit on parts per upload. */
    static final int MAX_PARTS = 10_000;
    /** The shortest bound given to a guarded completion call (the SDK refuses a zero timeout). */
    private static final Duration MIN_CALL = Duration.ofMillis(1);

    private final S3Client s3;
    private final S3Config config;
    private final S3Errors errors;
    private final String key;
    private final Map<String, String> metadata;
    private final boolean ifAbsent;
    private final PutOptions.Guard guard;

    MultipartUpload(S3Client s3, S3Config config, S3Errors errors, String key, Map<String, String> metadata,
                    PutOptions options) {
        this.s3 = s3;
        this.config = config;
        this.errors = errors;
        this.key = key;
        this.metadata = metadata;
        this.ifAbsent = options.ifAbsent();
        this.guard = options.guard();
    }

    /**
     * The part size for a body of {@code length} bytes: the configured size, grown (in whole MiB) when the body
     * would otherwise need more than 10,000 parts. Bodies shorter than this go up in a single PUT.
     */
    static long partSize(long configured, long length) {
        long needed = (length + MAX_PARTS - 1) / MAX_PARTS;
        long mib = 1L << 20;
        return Math.max(configured, (needed + mib - 1) / mib * mib);
    }

    /**
     * Uploads {@code length} bytes in parts of {@code partSize}; SDK failures and a refusal of the guard propagate
     * after the abort.
     */
    void run(BodySlices body, long length, long partSize) throws ReplicaException {
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(config.bucket())
                .key(key).metadata(metadata).contentType("application/octet-stream");
        config.storageClass().ifPresent(create::storageClass);
        SseHeaders.apply(config.sse(), create);
        String uploadId = s3.createMultipartUpload(create.build()).uploadId();
        try {
            List<CompletedPart> parts = uploadParts(body, uploadId, length, partSize);
            CompleteMultipartUploadRequest.Builder complete = CompleteMultipartUploadRequest.builder()
                    .bucket(config.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build());
            SseHeaders.apply(config.sse(), complete);
            if (ifAbsent) {
                complete.ifNoneMatch("*");
            }
            guard.check(); // the commit point: refused, the upload is aborted and the object never appears
            long left = guard.remainingNanos();
            if (left != Long.MAX_VALUE) {
                // The SDK retries a failed completion by itself, after the check: none may start once the owner's
                // session could have expired, so the whole call (retries included) ends by then.
                Duration bound = Duration.ofNanos(Math.max(left, MIN_CALL.toNanos()));
                complete.overrideConfiguration(o -> o.apiCallTimeout(bound));
            }
            s3.completeMultipartUpload(complete.build());
        } catch (RuntimeException | ReplicaException e) {
            abort(uploadId, e);
            throw e;
        }
    }

    private List<CompletedPart> uploadParts(BodySlices body, String uploadId, long length, long partSize)
            throws ReplicaException {
        List<CompletedPart> parts = new ArrayList<>();
        for (long offset = 0; offset < length; offset += partSize) {
            int number = parts.size() + 1;
            long size = Math.min(partSize, length - offset);
            try {
                body.seek(offset);
            } catch (IOException e) {
                throw new ReplicaException(ReplicaFailure.IO, errors.message("put", key, "part " + number + ": "
                        + e.getMessage()), e);
            }
            UploadPartRequest.Builder part = UploadPartRequest.builder().bucket(config.bucket()).key(key)
                    .uploadId(uploadId).partNumber(number).contentLength(size);
            SseHeaders.apply(config.sse(), part);
            String etag = s3.uploadPart(part.build(), RequestBody.fromContentProvider(body.slice(offset, size), size,
                    "application/octet-stream")).eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        }
        return parts;
    }

    private void abort(String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            // The upload stays invisible either way; a bucket lifecycle rule (or a later listing) reclaims its parts.
            cause.addSuppressed(errors.map("abort multipart upload", key, e));
        }
    }
}
