package io.litefleet.replica.gcs;

import com.google.api.gax.paging.Page;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.HttpStorageOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageBatch;
import com.google.cloud.storage.StorageBatchResult;
import com.google.cloud.storage.StorageOptions;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaKey;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ReplicaClient} over one GCS bucket through the JSON API over HTTP: key {@code a/b} is the object
 * {@code a/b}, with the timestamp under {@code litestream-timestamp} as upstream writes it.
 *
 * <p><b>Uploads</b> up to one chunk are a single request; larger bodies go through a resumable upload fed one
 * chunk at a time, which GCS publishes only when it is finalized: a body that fails or turns out shorter than it
 * declared is never finalized (the channel is abandoned, not closed), so nothing partial becomes an object.
 * {@link PutOptions#ifAbsent()} is {@code ifGenerationMatch=0}; {@link PutOptions#guard()} is checked before the single
 * request or the finalizing last chunk. <b>Listings</b> follow page tokens past any number
 * of pages. <b>Deletes</b> go in JSON batch requests of up to 100.
 *
 * <p>Thread-safe: one client (one pooled transport) serves every database replicating to the bucket.
 */
final class GcsReplicaClient implements ReplicaClient {
    private static final int READ_CHUNK = 2 << 20;
    private static final int FIRST_READ = 64 << 10;

    /**
     * Sizes that tests shrink to cover several chunks, pages and batches cheaply.
     *
     * @param chunkSize   bytes per resumable-upload chunk (a multiple of 256 KiB), and the largest single upload
     * @param listPage    objects per listing page (GCS's maximum is 1,000)
     * @param deleteBatch deletes per batch request (GCS's maximum is 100)
     */
    record Tuning(int chunkSize, int listPage, int deleteBatch) {
        static final Tuning DEFAULT = new Tuning(8 << 20, 1_000, 100);

        /** Checks the chunk size. */
        Tuning {
            if (chunkSize <= 0 || chunkSize % (256 << 10) != 0) {
                throw new IllegalArgumentException("chunk size must be a multiple of 256 KiB: " + chunkSize);
            }
        }
    }

    private final GcsSettings settings;
    private final Tuning tuning;
    private final Storage storage;
    /**
     * The same service without the library's retries, for guarded puts (cluster mode): a retry would come after the
     * guard's check, possibly once the owner's session could have expired; the engine's own retry checks again.
     */
    private final HttpStorageOptions onceOptions;
    /** Made at the first guarded put (cluster mode only); null until then. */
    private volatile Storage once;
    private final GcsErrors errors;
    private volatile boolean closed;

    private GcsReplicaClient(GcsSettings settings, Tuning tuning, Storage storage, HttpStorageOptions onceOptions) {
        this.settings = settings;
        this.tuning = tuning;
        this.storage = storage;
        this.onceOptions = onceOptions;
        this.errors = new GcsErrors(settings.describe());
    }

    /**
     * A client for the destination. Without an emulator, the application default credentials are loaded here, so
     * their absence is reported at start ({@link ReplicaFailure#AUTH}) rather than at the first upload.
     */
    static GcsReplicaClient open(GcsSettings settings, Tuning tuning) throws ReplicaException {
        HttpStorageOptions.Builder b = StorageOptions.http()
                .setRetrySettings(StorageOptions.getDefaultRetrySettings().toBuilder().setMaxAttempts(3)
                        .setInitialRetryDelayDuration(Duration.ofMillis(250))
                        .setMaxRetryDelayDuration(Duration.ofSeconds(2))
                        .setTotalTimeoutDuration(Duration.ofSeconds(60)).build())
                .setTransportOptions(HttpTransportOptions.newBuilder().setConnectTimeout(10_000)
                        .setReadTimeout(60_000).build());
        if (settings.emulator().isPresent()) {
            // An emulator checks no credentials; a fixed project id keeps the library from looking one up.
            b.setHost(settings.emulator().get()).setProjectId("litefleet-emulator")
                    .setCredentials(NoCredentials.getInstance());
        } else {
            b.setCredentials(defaultCredentials(settings));
        }
        HttpStorageOptions options = b.build();
        HttpStorageOptions noRetry = options.toBuilder().setRetrySettings(options.getRetrySettings().toBuilder()
                .setMaxAttempts(1).build()).build();
        return new GcsReplicaClient(settings, tuning, options.getService(), noRetry);
    }

    private static GoogleCredentials defaultCredentials(GcsSettings settings) throws ReplicaException {
        try {
            return GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            throw new ReplicaException(ReplicaFailure.AUTH, settings.describe() + ": no Google application default "
                    + "credentials (set GOOGLE_APPLICATION_CREDENTIALS to a key file, run 'gcloud auth "
                    + "application-default login', or run on Google Cloud; for an emulator set "
                    + GcsSettings.ENV_EMULATOR + "): " + e.getMessage(), e);
        }
    }

    @Override
    public String type() {
        return "gs";
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        check(key);
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(settings.bucket(), key)).setMetadata(options.metadata())
                .build();
        Storage storage = options.guard().remainingNanos() == Long.MAX_VALUE ? this.storage : once();
        try {
            if (body.length() <= tuning.chunkSize()) {
                byte[] data = new byte[(int) body.length()];
                try (InputStream in = body.open()) {
                    fill(in, data, data.length, 0, body, key);
                    expectEnd(in, body, key);
                }
                options.guard().check(); // the commit point of a single request
                // LTX pages are LZ4-compressed already: gzipping the request would only cost CPU.
                Blob blob = options.ifAbsent()
                        ? storage.create(info, data, Storage.BlobTargetOption.disableGzipContent(),
                        Storage.BlobTargetOption.doesNotExist())
                        : storage.create(info, data, Storage.BlobTargetOption.disableGzipContent());
                return new ObjectInfo(key, body.length(), updated(blob), options.metadata());
            }
            putResumable(storage, info, key, body, options);
            return new ObjectInfo(key, body.length(), Instant.now(), options.metadata());
        } catch (ReplicaException e) {
            throw e;
        } catch (IOException e) {
            throw new ReplicaException(ReplicaFailure.IO, errors.where(key) + ": put: reading the body failed: "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw errors.map("put", key, e);
        }
    }

    /**
     * Feeds the body chunk by chunk; finalizes (closes) only after exactly {@code length} bytes and a passing guard.
     * The channel sends the last chunk only when it is closed (the upload's total size goes with it), so a refused
     * guard leaves the upload unfinalized: no object.
     */
    private void putResumable(Storage storage, BlobInfo info, String key, ObjectBody body, PutOptions options)
            throws IOException {
        WriteChannel out = options.ifAbsent()
                ? storage.writer(info, Storage.BlobWriteOption.disableGzipContent(),
                Storage.BlobWriteOption.doesNotExist())
                : storage.writer(info, Storage.BlobWriteOption.disableGzipContent());
        out.setChunkSize(tuning.chunkSize());
        byte[] buffer = new byte[256 << 10];
        try (InputStream in = body.open()) {
            for (long sent = 0; sent < body.length(); ) {
                int n = (int) Math.min(buffer.length, body.length() - sent);
                fill(in, buffer, n, sent, body, key);
                ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                sent += n;
            }
            expectEnd(in, body, key);
        }
        options.guard().check(); // the commit point
        out.close(); // finalizes: only now does the object exist
    }

    private void fill(InputStream in, byte[] buffer, int n, long offset, ObjectBody body, String key)
            throws IOException {
        int got = in.readNBytes(buffer, 0, n);
        if (got < n) {
            throw errors.of(ReplicaFailure.INVALID, "put", key, "body yielded " + (offset + got)
                    + " bytes but declared " + body.length());
        }
    }

    private void expectEnd(InputStream in, ObjectBody body, String key) throws IOException {
        if (in.read() >= 0) {
            throw errors.of(ReplicaFailure.INVALID, "put", key, "body yielded more than the " + body.length()
                    + " bytes it declared");
        }
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        check(key);
        return open(key, 0, Long.MAX_VALUE);
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        check(key);
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
        return open(key, offset, length);
    }

    /** Opens a reader and reads its first bytes now, so a missing object is NOT_FOUND here, not at first read. */
    private InputStream open(String key, long offset, long length) throws ReplicaException {
        ReadChannel reader = storage.reader(BlobId.of(settings.bucket(), key));
        try {
            reader.setChunkSize(READ_CHUNK);
            if (offset > 0) {
                reader.seek(offset);
            }
            if (length <= Long.MAX_VALUE - offset) {
                reader.limit(offset + length);
            }
            ByteBuffer first = ByteBuffer.allocate((int) Math.min(FIRST_READ, length));
            while (first.hasRemaining() && reader.read(first) >= 0) {
                // fill the first buffer
            }
            first.flip();
            InputStream head = new ByteArrayInputStream(first.array(), 0, first.limit());
            return new Named(first.limit() == first.capacity()
                    ? new SequenceInputStream(head, Channels.newInputStream(reader)) : closing(head, reader), key);
        } catch (IOException | RuntimeException e) {
            reader.close();
            if (GcsErrors.status(e) == 416) {
                return InputStream.nullInputStream(); // the range starts past the end
            }
            throw errors.map("get", key, e);
        }
    }

    /** {@code head} alone (the object ended within it), closing the reader when closed. */
    private static InputStream closing(InputStream head, ReadChannel reader) {
        return new FilterInputStream(head) {
            @Override
            public void close() throws IOException {
                reader.close();
                super.close();
            }
        };
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        check(key);
        try {
            Blob blob = storage.get(BlobId.of(settings.bucket(), key));
            return blob == null ? Optional.empty() : Optional.of(info(blob));
        } catch (RuntimeException e) {
            throw errors.map("stat", key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        checkOpen();
        ReplicaKey.checkPrefix(prefix);
        List<ObjectInfo> out = new ArrayList<>();
        try {
            Page<Blob> page = prefix.isEmpty()
                    ? storage.list(settings.bucket(), Storage.BlobListOption.pageSize(tuning.listPage()))
                    : storage.list(settings.bucket(), Storage.BlobListOption.pageSize(tuning.listPage()),
                    Storage.BlobListOption.prefix(prefix));
            for (Blob blob : page.iterateAll()) { // follows nextPageToken page after page
                if (!blob.isDirectory()) {
                    out.add(info(blob));
                }
            }
        } catch (RuntimeException e) {
            throw errors.map("list '" + prefix + "'", null, e);
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        for (String key : keys) {
            check(key);
        }
        List<String> distinct = keys.stream().distinct().toList();
        for (int from = 0; from < distinct.size(); from += tuning.deleteBatch()) {
            deleteBatch(distinct.subList(from, Math.min(distinct.size(), from + tuning.deleteBatch())));
        }
    }

    private void deleteBatch(List<String> keys) throws ReplicaException {
        StorageBatch batch = storage.batch();
        List<StorageBatchResult<Boolean>> results = new ArrayList<>(keys.size());
        for (String key : keys) {
            results.add(batch.delete(BlobId.of(settings.bucket(), key)));
        }
        try {
            batch.submit();
        } catch (RuntimeException e) {
            throw errors.map("delete of " + keys.size() + " objects from '" + keys.get(0) + "'", null, e);
        }
        for (int i = 0; i < keys.size(); i++) {
            try {
                results.get(i).get(); // false: it was already absent
            } catch (RuntimeException e) {
                if (GcsErrors.status(e) != 404) {
                    throw errors.map("delete", keys.get(i), e);
                }
            }
        }
    }

    /** The client without retries, made on first use. */
    private Storage once() {
        Storage s = once;
        if (s == null) {
            synchronized (this) {
                s = once;
                if (s == null) {
                    s = onceOptions.getService();
                    once = s;
                }
            }
        }
        return s;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Storage guarded = once;
        for (Storage s : guarded == null ? List.of(storage) : List.of(storage, guarded)) {
            try {
                s.close();
            } catch (Exception e) {
                // Closing releases pooled connections; there is nothing left to do with a failure here.
            }
        }
    }

    private ObjectInfo info(Blob blob) {
        Map<String, String> metadata = new HashMap<>();
        if (blob.getMetadata() != null) {
            blob.getMetadata().forEach((k, v) -> {
                if (k != null && v != null) {
                    metadata.put(k, v);
                }
            });
        }
        return new ObjectInfo(blob.getName(), blob.getSize() == null ? 0 : blob.getSize(), updated(blob), metadata);
    }

    private static Instant updated(Blob blob) {
        return blob.getUpdateTimeOffsetDateTime() != null ? blob.getUpdateTimeOffsetDateTime().toInstant()
                : Instant.now();
    }

    private void check(String key) throws ReplicaException {
        checkOpen();
        ReplicaKey.check(key);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(describe() + ": client is closed");
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    /** An object's stream whose read failures name the object. */
    private final class Named extends FilterInputStream {
        private final String key;

        Named(InputStream in, String key) {
            super(in);
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw errors.map("read", key, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw errors.map("read", key, e);
            }
        }
    }
}
