package io.litefleet.replica.s3;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaKey;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link ReplicaClient} over one S3 bucket (AWS or an S3-compatible store): key {@code a/b} is the object
 * {@code a/b}. One instance serves every database replicating to the bucket; thread-safe (the SDK client is).
 *
 * <p><b>Writes.</b> A body shorter than the part size goes up in one streamed PutObject; a longer one as a multipart
 * upload ({@link MultipartUpload}), which S3 publishes only when it completes, so readers never see part of an
 * object. Neither holds the body in memory. {@link PutOptions#ifAbsent()} is {@code If-None-Match: *} (on the
 * PutObject, or on the CompleteMultipartUpload). {@link PutOptions#guard()} is checked before the first request, before
 * a single PUT's last bytes are sent, and before CompleteMultipartUpload (a refused multipart upload is aborted).
 * Metadata goes into {@code x-amz-meta-*} (the owner's too, and {@link #stat} returns it);
 * {@link PutOptions#TIMESTAMP} is written exactly as upstream writes it (Go's {@code time.RFC3339Nano}: no trailing
 * zeros in the fraction).
 *
 * <p><b>Reads.</b> Listings page through ListObjectsV2 (1,000 keys a page) and report each object's LastModified,
 * like upstream's listings; {@link #stat} is a HeadObject and returns the user metadata, so {@link
 * ObjectInfo#createdAt()} is the {@code litestream-timestamp} there (upstream reads it the same way, with HEAD, for
 * timestamp restores). Deletes go in DeleteObjects batches of 1,000; keys the store could not delete are reported
 * together.
 *
 * <p>Every failure is a {@link ReplicaException} naming {@code s3://bucket/key} (see {@link S3Errors}).
 */
final class S3ReplicaClient implements ReplicaClient {
    /** S3's limit on keys per ListObjectsV2 page and per DeleteObjects request. */
    static final int BATCH = 1_000;
    private static final DateTimeFormatter RFC3339_NANO = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendLiteral('Z').toFormatter(Locale.ROOT).withZone(ZoneOffset.UTC);

    private final S3Sdk sdk;
    private final S3Client s3;
    private final S3Config config;
    private final S3Errors errors;
    private final Clock clock;
    private final String describe;
    private final AtomicBoolean closed = new AtomicBoolean();

    private S3ReplicaClient(S3Sdk sdk, S3Config config, Clock clock) {
        this.sdk = sdk;
        this.s3 = sdk.client();
        this.config = config;
        this.clock = clock;
        this.describe = "s3://" + config.bucket();
        this.errors = new S3Errors(describe, config.secrets());
    }

    /** Opens a client; no request is made until the first call. */
    static S3ReplicaClient open(S3Config config, Clock clock) {
        return new S3ReplicaClient(S3Sdk.open(config), config, clock);
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        checkKey(key);
        Map<String, String> metadata = metadata(options);
        long length = body.length();
        long partSize = MultipartUpload.partSize(config.partSize(), length);
        try (BodySlices slices = new BodySlices(body, options.guard())) {
            options.guard().check(); // before any request; the body checks again before its last bytes
            if (length < partSize) {
                PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(config.bucket()).key(key)
                        .metadata(metadata).contentLength(length);
                config.storageClass().ifPresent(req::storageClass);
                SseHeaders.apply(config.sse(), req);
                if (options.ifAbsent()) {
                    req.ifNoneMatch("*");
                }
                s3.putObject(req.build(), RequestBody.fromContentProvider(slices.slice(0, length), length,
                        "application/octet-stream"));
            } else {
                new MultipartUpload(s3, config, errors, key, metadata, options).run(slices, length, partSize);
            }
        } catch (RuntimeException e) {
            java.util.Optional<ReplicaException> refused = BodySlices.refusal(e);
            if (refused.isPresent()) {
                throw refused.get();
            }
            if (e instanceof SdkException s) {
                throw errors.map("put", key, s);
            }
            throw e;
        }
        return new ObjectInfo(key, length, clock.instant(), metadata);
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        checkKey(key);
        return open(key, GetObjectRequest.builder(), 0);
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        checkKey(key);
        if (offset < 0 || length < 0) {
            throw errors.of(ReplicaFailure.INVALID, "get", key, "offset " + offset + " and length " + length
                    + " must not be negative");
        }
        if (length == 0) {
            if (stat(key).isEmpty()) {
                throw errors.of(ReplicaFailure.NOT_FOUND, "get", key, "no such object");
            }
            return InputStream.nullInputStream();
        }
        long last = length > Long.MAX_VALUE - offset ? -1 : offset + length - 1;
        String range = "bytes=" + offset + "-" + (last < 0 ? "" : Long.toString(last));
        try {
            return open(key, GetObjectRequest.builder().range(range), offset);
        } catch (ReplicaException e) {
            if (e.getCause() instanceof SdkServiceException s && s.statusCode() == 416) {
                return InputStream.nullInputStream(); // the object exists and ends before offset
            }
            throw e;
        }
    }

    private InputStream open(String key, GetObjectRequest.Builder req, long offset) throws ReplicaException {
        req.bucket(config.bucket()).key(key);
        SseHeaders.apply(config.sse(), req);
        try {
            return new S3InputStream(s3.getObject(req.build()), errors, key, offset);
        } catch (NoSuchKeyException e) {
            throw errors.of(ReplicaFailure.NOT_FOUND, "get", key, "no such object");
        } catch (SdkException e) {
            throw errors.map("get", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        checkKey(key);
        HeadObjectRequest.Builder req = HeadObjectRequest.builder().bucket(config.bucket()).key(key);
        SseHeaders.apply(config.sse(), req);
        try {
            HeadObjectResponse r = s3.headObject(req.build());
            Instant modified = r.lastModified() == null ? clock.instant() : r.lastModified();
            return Optional.of(new ObjectInfo(key, r.contentLength(), modified, r.metadata()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty(); // a HEAD's 404 has no body to tell a missing key from a missing bucket
            }
            throw errors.map("stat", key, e);
        } catch (SdkException e) {
            throw errors.map("stat", key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        checkOpen();
        ReplicaKey.checkPrefix(prefix);
        List<ObjectInfo> out = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(config.bucket())
                        .maxKeys(BATCH).continuationToken(token);
                if (!prefix.isEmpty()) {
                    req.prefix(prefix);
                }
                ListObjectsV2Response page = s3.listObjectsV2(req.build());
                for (S3Object o : page.contents()) {
                    if (!o.key().endsWith("/")) { // directory markers some stores list are not objects of ours
                        out.add(ObjectInfo.of(o.key(), o.size(), o.lastModified()));
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw errors.map("list", prefix, e);
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        checkOpen();
        for (String key : keys) {
            ReplicaKey.check(key);
        }
        List<String> all = List.copyOf(new java.util.LinkedHashSet<>(keys));
        List<String> failed = new ArrayList<>();
        ReplicaFailure kind = null;
        for (int from = 0; from < all.size(); from += BATCH) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + BATCH));
            DeleteObjectsResponse r;
            try {
                r = s3.deleteObjects(b -> b.bucket(config.bucket()).delete(Delete.builder().quiet(true)
                        .objects(batch.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList())
                        .build()));
            } catch (SdkException e) {
                throw errors.map("delete " + batch.size() + " keys from", batch.getFirst(), e);
            }
            for (S3Error err : r.errors()) {
                if (!"NoSuchKey".equals(err.code())) {
                    failed.add(err.key() + " (" + err.code() + ": " + err.message() + ")");
                    kind = kind == null ? kindOf(err.code()) : kind;
                }
            }
        }
        if (!failed.isEmpty()) {
            throw errors.of(kind, "delete", "", failed.size() + " of " + all.size() + " keys were not deleted: "
                    + String.join(", ", failed.subList(0, Math.min(10, failed.size())))
                    + (failed.size() > 10 ? ", ..." : ""));
        }
    }

    /** A per-key DeleteObjects error's kind, by its S3 code (there is no status per key). */
    private static ReplicaFailure kindOf(String code) {
        return switch (code == null ? "" : code) {
            case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch" -> ReplicaFailure.AUTH;
            case "SlowDown" -> ReplicaFailure.THROTTLED;
            case "InternalError", "ServiceUnavailable" -> ReplicaFailure.UNAVAILABLE;
            default -> ReplicaFailure.IO;
        };
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sdk.close();
        }
    }

    /** The options' metadata, with the timestamp spelled as upstream spells it. */
    static Map<String, String> metadata(PutOptions options) {
        Map<String, String> m = new HashMap<>(options.metadata());
        options.timestamp().ifPresent(t -> m.put(PutOptions.TIMESTAMP, rfc3339Nano(t)));
        return Map.copyOf(m);
    }

    /** Go's {@code time.RFC3339Nano} in UTC: {@code 2025-01-02T03:04:05.12Z}, whole seconds without a fraction. */
    static String rfc3339Nano(Instant t) {
        return RFC3339_NANO.format(t);
    }

    private void checkKey(String key) throws ReplicaException {
        checkOpen();
        ReplicaKey.check(key);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(describe + ": client is closed");
        }
    }

    @Override
    public String toString() {
        return "S3ReplicaClient[" + config + "]";
    }

    /** Keeps the SDK's response stream but names the object when reading it fails. */
    private static final class S3InputStream extends java.io.FilterInputStream {
        private final S3Errors errors;
        private final String key;
        private long pos;

        S3InputStream(InputStream in, S3Errors errors, String key, long offset) {
            super(in);
            this.errors = errors;
            this.key = key;
            this.pos = offset;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                pos += b < 0 ? 0 : 1;
                return b;
            } catch (IOException e) {
                throw errors.reading(key, pos, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                pos += Math.max(n, 0);
                return n;
            } catch (IOException e) {
                throw errors.reading(key, pos, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                long s = super.skip(n);
                pos += s;
                return s;
            } catch (IOException e) {
                throw errors.reading(key, pos, e);
            }
        }
    }
}
