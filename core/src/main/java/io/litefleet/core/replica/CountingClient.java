package io.litefleet.core.replica;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link ReplicaClient} that tells a {@link Recorder} about every call it passes on: its operation and outcome
 * (success, or the {@link ReplicaFailure} kind it failed with; a {@code stat} of an absent key is
 * {@link ReplicaFailure#NOT_FOUND}, an unchecked exception is {@link ReplicaFailure#IO}), the size of every object
 * stored and the bytes read from every object fetched. One call is one count: the requests a client makes on its own
 * (list pages, the parts of a multipart upload, its retries) are not seen here.
 *
 * <p>Thread-safe when the delegate and the recorder are. {@link #owning} clients close their delegate,
 * {@link #borrowing} ones leave it to its owner.
 */
public final class CountingClient implements ReplicaClient {
    /** Where the counts go. Called on the threads that use the client; must be thread-safe and must not block. */
    @FunctionalInterface
    public interface Recorder {
        /** One call of {@code operation} ended; {@code failure} is null when it succeeded. */
        void request(ReplicaOperation operation, ReplicaFailure failure);

        /** A put stored {@code bytes}. */
        default void bytesUp(long bytes) {
        }

        /** {@code bytes} were read from a fetched object. */
        default void bytesDown(long bytes) {
        }

        /** One call of {@code operation} took {@code nanos} (until the client returned, not until a body was read). */
        default void duration(ReplicaOperation operation, long nanos) {
        }
    }

    private final ReplicaClient delegate;
    private final Recorder recorder;
    private final boolean owns;

    private CountingClient(ReplicaClient delegate, Recorder recorder, boolean owns) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        this.owns = owns;
    }

    /** Counts the calls to {@code delegate}, which this client owns: {@link #close()} closes it. */
    public static CountingClient owning(ReplicaClient delegate, Recorder recorder) {
        return new CountingClient(delegate, recorder, true);
    }

    /** Counts the calls to a shared {@code delegate}, which its owner closes: {@link #close()} does nothing. */
    public static CountingClient borrowing(ReplicaClient delegate, Recorder recorder) {
        return new CountingClient(delegate, recorder, false);
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        ObjectInfo info = count(ReplicaOperation.PUT, () -> delegate.put(key, body, options));
        recorder.bytesUp(body.length());
        return info;
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        return new Counted(count(ReplicaOperation.GET, () -> delegate.get(key)));
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        return new Counted(count(ReplicaOperation.GET, () -> delegate.get(key, offset, length)));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        Optional<ObjectInfo> info;
        long start = System.nanoTime();
        try {
            info = delegate.stat(key);
        } catch (ReplicaException e) {
            recorder.request(ReplicaOperation.HEAD, e.failure());
            throw e;
        } catch (RuntimeException e) {
            recorder.request(ReplicaOperation.HEAD, ReplicaFailure.IO);
            throw e;
        }
        recorder.duration(ReplicaOperation.HEAD, System.nanoTime() - start);
        recorder.request(ReplicaOperation.HEAD, info.isPresent() ? null : ReplicaFailure.NOT_FOUND);
        return info;
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        return count(ReplicaOperation.LIST, () -> delegate.list(prefix));
    }

    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        count(ReplicaOperation.DELETE, () -> {
            delegate.delete(keys);
            return null;
        });
    }

    /** Closes the delegate if this client owns it. Idempotent when the delegate's close is. */
    @Override
    public void close() {
        if (owns) {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    private interface Call<T> {
        T run() throws ReplicaException;
    }

    private <T> T count(ReplicaOperation op, Call<T> call) throws ReplicaException {
        T result;
        long start = System.nanoTime();
        try {
            result = call.run();
        } catch (ReplicaException e) {
            recorder.request(op, e.failure());
            throw e;
        } catch (RuntimeException e) {
            recorder.request(op, ReplicaFailure.IO);
            throw e;
        }
        recorder.duration(op, System.nanoTime() - start);
        recorder.request(op, null);
        return result;
    }

    /** A fetched object's stream that reports the bytes read from it. */
    private final class Counted extends FilterInputStream {
        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                recorder.bytesDown(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                recorder.bytesDown(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return in.skip(n); // skipped bytes may not have crossed the network: not counted
        }
    }
}
