package io.litefleet.core.compact;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the requests one database's maintenance sends through a shared client. Closing does nothing. */
final class CountingClient implements ReplicaClient {
    private final ReplicaClient delegate;
    private final AtomicLong requests = new AtomicLong();

    CountingClient(ReplicaClient delegate) {
        this.delegate = delegate;
    }

    long requests() {
        return requests.get();
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
        requests.incrementAndGet();
        return delegate.put(key, body, options);
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        requests.incrementAndGet();
        return delegate.get(key);
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        requests.incrementAndGet();
        return delegate.get(key, offset, length);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        requests.incrementAndGet();
        return delegate.stat(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        requests.incrementAndGet();
        return delegate.list(prefix);
    }

    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        requests.incrementAndGet();
        delegate.delete(keys);
    }

    @Override
    public void close() {
        // The shared client belongs to whoever created it.
    }
}
