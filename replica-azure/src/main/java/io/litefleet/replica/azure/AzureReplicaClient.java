package io.litefleet.replica.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.rest.Response;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaKey;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ReplicaClient} over one Azure Blob container: key {@code a/b} is the block blob {@code a/b}, written the
 * way upstream writes LTX files (see {@link AzureUpload}; the timestamp under {@code litestreamtimestamp}, see
 * {@link AzureMetadata}).
 *
 * <p><b>Uploads</b> never hold more than one 8 MiB block in memory and publish the blob whole or not at all; a failed
 * upload leaves only uncommitted blocks, which listings never show and Azure discards after a week.
 * {@link PutOptions#ifAbsent()} sends {@code If-None-Match: *} with the request that publishes, and
 * {@link PutOptions#guard()} is checked right before it. Metadata (the owner's too) comes back from {@link #stat}. <b>Listings</b>
 * follow continuation tokens past any number of pages, with metadata.
 * <b>Deletes</b> go in waves of up to 16 concurrent Delete Blob requests. (Not Blob Batch: Azurite answered a
 * batch of deletes with success and deleted nothing, which a client cannot tell from a real success.)
 *
 * <p>Thread-safe: one client serves every database replicating to the container, over one pooled JDK HTTP client
 * whose tasks run on virtual threads named {@code litefleet-abs-N}. {@link #close()} stops that executor.
 */
final class AzureReplicaClient implements ReplicaClient {
    private static final int READ_CHUNK = 4 << 20;

    /**
     * Sizes that tests shrink to cover several blocks, pages and batches cheaply.
     *
     * @param blockSize   bytes per staged block, and the largest body sent in one request
     * @param listPage    keys per listing page (Azure's maximum is 5,000)
     * @param deleteBatch Delete Blob requests in flight at once per {@link #delete} call
     */
    record Tuning(int blockSize, int listPage, int deleteBatch) {
        static final Tuning DEFAULT = new Tuning(8 << 20, 5_000, 16);
    }

    private final AzureSettings settings;
    private final Tuning tuning;
    private final ExecutorService executor;
    private final BlobContainerClient container;
    private final AzureErrors errors;
    private volatile boolean closed;

    private AzureReplicaClient(AzureSettings settings, Tuning tuning, ExecutorService executor,
                               BlobContainerClient container) {
        this.settings = settings;
        this.tuning = tuning;
        this.executor = executor;
        this.container = container;
        this.errors = new AzureErrors(settings.describe(), settings.secrets());
    }

    /** A client for the destination; no request is made until the first call. */
    static AzureReplicaClient open(AzureSettings settings, Tuning tuning) {
        ExecutorService executor = AzureHttp.executor();
        HttpClient http = AzureHttp.client(executor);
        BlobServiceClientBuilder b = new BlobServiceClientBuilder().endpoint(settings.endpoint()).httpClient(http)
                .retryOptions(AzureHttp.retries());
        switch (settings.credential()) {
            case AzureSettings.SharedKey k -> b.credential(
                    new com.azure.storage.common.StorageSharedKeyCredential(k.accountName(), k.key()));
            case AzureSettings.Sas s -> b.credential(new com.azure.core.credential.AzureSasCredential(s.token()));
            case AzureSettings.DefaultChain d -> b.credential(AzureHttp.defaultChain(http));
        }
        return new AzureReplicaClient(settings, tuning, executor,
                b.buildClient().getBlobContainerClient(settings.container()));
    }

    @Override
    public String type() {
        return "abs";
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        check(key);
        AzureMetadata.Result md = AzureMetadata.toAzure(options.metadata());
        if (md.rejected().isPresent()) {
            throw errors.of(ReplicaFailure.INVALID, "put", key, "metadata name '" + md.rejected().get()
                    + "' cannot be stored in Azure (names are identifiers: letters, digits, '_' and '-')");
        }
        BlockBlobClient blob = container.getBlobClient(key).getBlockBlobClient();
        BlobRequestConditions conditions = options.ifAbsent() ? new BlobRequestConditions().setIfNoneMatch("*") : null;
        try {
            AzureUpload upload = new AzureUpload(blob, key, body, errors, options.guard());
            BlockBlobItem item = body.length() <= tuning.blockSize()
                    ? upload.whole(md.metadata(), conditions)
                    : upload.blocks(tuning.blockSize(), md.metadata(), conditions);
            return new ObjectInfo(key, body.length(), item.getLastModified().toInstant(), options.metadata());
        } catch (RuntimeException e) {
            throw errors.map("put", key, e);
        }
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        check(key);
        return open(key, new BlobRange(0));
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
                throw errors.of(ReplicaFailure.NOT_FOUND, "get", key, "no such blob");
            }
            return InputStream.nullInputStream();
        }
        return open(key, length > Long.MAX_VALUE - offset ? new BlobRange(offset) : new BlobRange(offset, length));
    }

    private InputStream open(String key, BlobRange range) throws ReplicaException {
        BlobClient blob = container.getBlobClient(key);
        try {
            return new Named(blob.openInputStream(new BlobInputStreamOptions().setRange(range)
                    .setBlockSize(READ_CHUNK)), key);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 416) {
                return InputStream.nullInputStream(); // the range starts at or past the end (or the blob is empty)
            }
            throw errors.map("get", key, e);
        } catch (RuntimeException e) {
            throw classified("get", key, e);
        }
    }

    /**
     * A failure without the service's answer in it, classified by asking the blob's properties. With the JDK HTTP
     * client the SDK's download loses a failed answer (503, 404) when its retry reads the error body a second time
     * ({@code IllegalStateException: This publisher has already one subscriber}); one HEAD gets the status back,
     * so throttling stays THROTTLED and a missing blob NOT_FOUND.
     */
    private ReplicaException classified(String op, String key, RuntimeException e) {
        if (AzureErrors.status(e) == 0) {
            try {
                container.getBlobClient(key).getPropertiesWithResponse(null, null, Context.NONE);
            } catch (BlobStorageException answer) {
                ReplicaException r = errors.map(op, key, answer);
                r.addSuppressed(errors.map(op, key, e));
                return r;
            } catch (RuntimeException ignored) {
                // no answer either way: report the original failure
            }
        }
        return errors.map(op, key, e);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        check(key);
        try {
            Response<BlobProperties> r = container.getBlobClient(key).getPropertiesWithResponse(null, null,
                    Context.NONE);
            BlobProperties p = r.getValue();
            return Optional.of(new ObjectInfo(key, p.getBlobSize(), p.getLastModified().toInstant(),
                    AzureMetadata.fromAzure(p.getMetadata())));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw errors.map("stat", key, e);
        } catch (RuntimeException e) {
            throw errors.map("stat", key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        checkOpen();
        ReplicaKey.checkPrefix(prefix);
        ListBlobsOptions options = new ListBlobsOptions().setMaxResultsPerPage(tuning.listPage())
                .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        if (!prefix.isEmpty()) {
            options.setPrefix(prefix);
        }
        List<ObjectInfo> out = new ArrayList<>();
        try {
            // The iterable fetches page after page, following each continuation token.
            for (BlobItem item : container.listBlobs(options, null)) {
                if (Boolean.TRUE.equals(item.isPrefix())) {
                    continue;
                }
                out.add(new ObjectInfo(item.getName(), item.getProperties().getContentLength(),
                        item.getProperties().getLastModified().toInstant(),
                        AzureMetadata.fromAzure(item.getMetadata())));
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

    /** Deletes one wave of keys concurrently; absent blobs are fine; the first failure is thrown. */
    private void deleteBatch(List<String> keys) throws ReplicaException {
        List<Future<?>> futures = new ArrayList<>(keys.size());
        for (String key : keys) {
            futures.add(executor.submit(() -> deleteOne(key)));
        }
        ReplicaException failure = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                ReplicaException r = e.getCause() instanceof ReplicaException re ? re
                        : errors.map("delete", null, e.getCause());
                if (failure == null) {
                    failure = r;
                } else {
                    failure.addSuppressed(r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplicaException(ReplicaFailure.IO, errors.where(null) + ": delete interrupted", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Void deleteOne(String key) throws ReplicaException {
        try {
            container.getBlobClient(key).deleteWithResponse(null, null, null, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 404) {
                throw errors.map("delete", key, e);
            }
        } catch (RuntimeException e) {
            throw errors.map("delete", key, e);
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** A blob's stream whose read failures name the blob and carry no secret. */
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
