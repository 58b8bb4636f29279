package io.litefleet.replica.s3;

import java.util.function.Function;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Server-side encryption on each request, as upstream sends it: SSE-C's algorithm, key and key MD5 on every write,
 * read and HEAD (S3 needs the key to encrypt and decrypt); SSE-KMS's {@code aws:kms} and key id on the requests that
 * create objects only (decryption is automatic). The SDK's request builders share no interface for these fields,
 * hence one overload per request type. Stateless.
 */
final class SseHeaders {
    private SseHeaders() {
    }

    static void apply(S3Config.Sse sse, PutObjectRequest.Builder b) {
        customer(sse, b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5);
        sse.kmsKeyId().ifPresent(id -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(id));
    }

    static void apply(S3Config.Sse sse, CreateMultipartUploadRequest.Builder b) {
        customer(sse, b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5);
        sse.kmsKeyId().ifPresent(id -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(id));
    }

    static void apply(S3Config.Sse sse, UploadPartRequest.Builder b) {
        customer(sse, b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5);
    }

    static void apply(S3Config.Sse sse, CompleteMultipartUploadRequest.Builder b) {
        customer(sse, b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5);
    }

    static void apply(S3Config.Sse sse, GetObjectRequest.Builder b) {
        customer(sse, b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5);
    }

    static void apply(S3Config.Sse sse, HeadObjectRequest.Builder b) {
        customer(sse, b::sseCustomerAlgorithm, b::sseCustomerKey, b::sseCustomerKeyMD5);
    }

    private static void customer(S3Config.Sse sse, Function<String, ?> algorithm, Function<String, ?> key,
                                 Function<String, ?> keyMd5) {
        if (sse.customerKey().isPresent()) {
            algorithm.apply(sse.customerAlgorithm().orElseThrow());
            key.apply(sse.customerKey().get());
            keyMd5.apply(sse.customerKeyMd5().orElseThrow());
        }
    }
}
