package io.litefleet.testkit;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A {@link ReplicaClient} holding objects in the heap, with user metadata and conditional create, for engine tests
 * that need a store but not a backend. Thread-safe. Passes {@link ReplicaClientContract} (with a smaller large
 * object, since it holds everything in memory).
 */
public final class InMemoryReplicaClient implements ReplicaClient {
    private record Stored(byte[] data, ObjectInfo info) {
    }

    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final Clock clock;

    private InMemoryReplicaClient(Clock clock) {
        this.clock = clock;
    }

    /** An empty store whose objects get {@code clock}'s time as their modification time. */
    public static InMemoryReplicaClient create(Clock clock) {
        return new InMemoryReplicaClient(clock);
    }

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public String describe() {
        return "memory:" + Integer.toHexString(System.identityHashCode(this));
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        ReplicaKey.check(key);
        byte[] data;
        try (InputStream in = body.open()) {
            data = in.readAllBytes();
        } catch (IOException e) {
            throw new ReplicaException(ReplicaFailure.IO, describe() + ": put '" + key + "': " + e.getMessage(), e);
        }
        if (data.length != body.length()) {
            throw new ReplicaException(ReplicaFailure.INVALID, describe() + ": put '" + key + "': body yielded "
                    + data.length + " bytes but declared " + body.length());
        }
        Stored s = new Stored(data, new ObjectInfo(key, data.length, clock.instant(), options.metadata()));
        options.guard().check(); // the commit point: the object appears below
        if (options.ifAbsent()) {
            if (objects.putIfAbsent(key, s) != null) {
                throw new ReplicaException(ReplicaFailure.PRECONDITION_FAILED, describe() + ": put '" + key
                        + "': an object already exists under the key");
            }
        } else {
            objects.put(key, s);
        }
        return s.info();
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        return new ByteArrayInputStream(require(key).data());
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        if (offset < 0 || length < 0) {
            throw new ReplicaException(ReplicaFailure.INVALID, describe() + ": get '" + key
                    + "': negative offset or length");
        }
        byte[] data = require(key).data();
        int from = (int) Math.min(offset, data.length);
        int len = (int) Math.min(length, data.length - from);
        return new ByteArrayInputStream(data, from, len);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        ReplicaKey.check(key);
        return Optional.ofNullable(objects.get(key)).map(Stored::info);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        ReplicaKey.checkPrefix(prefix);
        List<ObjectInfo> out = new ArrayList<>();
        for (Map.Entry<String, Stored> e : objects.tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.add(ObjectInfo.of(e.getKey(), e.getValue().info().size(), e.getValue().info().lastModified()));
        }
        return out;
    }

    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        for (String key : keys) {
            ReplicaKey.check(key);
        }
        keys.forEach(objects::remove);
    }

    @Override
    public void close() {
        // Nothing to release; the objects stay readable for assertions.
    }

    private Stored require(String key) throws ReplicaException {
        ReplicaKey.check(key);
        Stored s = objects.get(key);
        if (s == null) {
            throw new ReplicaException(ReplicaFailure.NOT_FOUND, describe() + ": no object '" + key + "'");
        }
        return s;
    }
}
