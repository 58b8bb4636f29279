package io.litefleet.testkit;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a client and fails chosen calls with a chosen {@link ReplicaFailure}, for testing retry and recovery logic.
 * A {@link Fault} names the operation (or {@link Operation#ANY}), which call of it (1-based) fails, and whether the
 * failure happens before the call reaches the store (the store is unchanged) or after it (the store changed but
 * the caller never heard: a lost reply). Each fault fires once. Thread-safe: calls are counted atomically in the
 * order they arrive. Closing closes the delegate.
 */
public final class FaultyReplicaClient implements ReplicaClient {

    /** The client operations a fault can target. */
    public enum Operation {
        /** Any call, counted across all operations. */
        ANY, PUT, GET, STAT, LIST, DELETE
    }

    /**
     * One injected failure.
     *
     * @param operation       the operation whose calls are counted
     * @param nth             which of those calls fails, from 1
     * @param failure         the kind of {@link ReplicaException} thrown
     * @param lostReply whether the call reaches the store first (a lost reply) or not at all
     */
    public record Fault(Operation operation, int nth, ReplicaFailure failure, boolean lostReply) {
        /** Validates. */
        public Fault {
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(failure, "failure");
            if (nth < 1) {
                throw new IllegalArgumentException("nth counts from 1, got " + nth);
            }
        }

        /** The {@code nth} call of {@code operation} fails before reaching the store. */
        public static Fault of(Operation operation, int nth, ReplicaFailure failure) {
            return new Fault(operation, nth, failure, false);
        }

        /** The same fault, but the call reaches the store first. */
        public Fault afterDelegating() {
            return new Fault(operation, nth, failure, true);
        }
    }

    private final ReplicaClient delegate;
    private final List<Fault> faults;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<Operation, AtomicInteger> counts = new EnumMap<>(Operation.class);
    private final AtomicInteger injected = new AtomicInteger();

    private FaultyReplicaClient(ReplicaClient delegate, List<Fault> faults) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.faults = List.copyOf(faults);
        for (Operation op : Operation.values()) {
            counts.put(op, new AtomicInteger());
        }
    }

    /** Wraps {@code delegate}, injecting {@code faults}. */
    public static FaultyReplicaClient wrap(ReplicaClient delegate, Fault... faults) {
        return new FaultyReplicaClient(delegate, List.of(faults));
    }

    /** Calls of {@code operation} seen so far ({@link Operation#ANY}: all calls), failed ones included. */
    public int calls(Operation operation) {
        return operation == Operation.ANY ? total.get() : counts.get(operation).get();
    }

    /** Faults fired so far. */
    public int injected() {
        return injected.get();
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public String describe() {
        return "faulty(" + delegate.describe() + ")";
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        Optional<Fault> f = count(Operation.PUT);
        before(f, Operation.PUT, key);
        ObjectInfo info = delegate.put(key, body, options);
        after(f, Operation.PUT, key);
        return info;
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        Optional<Fault> f = count(Operation.GET);
        before(f, Operation.GET, key);
        return afterOpening(f, key, delegate.get(key));
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        Optional<Fault> f = count(Operation.GET);
        before(f, Operation.GET, key);
        return afterOpening(f, key, delegate.get(key, offset, length));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        Optional<Fault> f = count(Operation.STAT);
        before(f, Operation.STAT, key);
        Optional<ObjectInfo> info = delegate.stat(key);
        after(f, Operation.STAT, key);
        return info;
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        Optional<Fault> f = count(Operation.LIST);
        before(f, Operation.LIST, prefix);
        List<ObjectInfo> out = delegate.list(prefix);
        after(f, Operation.LIST, prefix);
        return out;
    }

    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        Optional<Fault> f = count(Operation.DELETE);
        before(f, Operation.DELETE, String.join(",", keys));
        delegate.delete(keys);
        after(f, Operation.DELETE, String.join(",", keys));
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** Counts the call and returns the fault that fires on it, if any. */
    private Optional<Fault> count(Operation op) {
        int all = total.incrementAndGet();
        int mine = counts.get(op).incrementAndGet();
        for (Fault f : faults) {
            if ((f.operation() == Operation.ANY && f.nth() == all) || (f.operation() == op && f.nth() == mine)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private void before(Optional<Fault> f, Operation op, String key) throws ReplicaException {
        if (f.isPresent() && !f.get().lostReply()) {
            throw fire(f.get(), op, key);
        }
    }

    private void after(Optional<Fault> f, Operation op, String key) throws ReplicaException {
        if (f.isPresent() && f.get().lostReply()) {
            throw fire(f.get(), op, key);
        }
    }

    private InputStream afterOpening(Optional<Fault> f, String key, InputStream in) throws ReplicaException {
        if (f.isPresent() && f.get().lostReply()) {
            ReplicaException e = fire(f.get(), Operation.GET, key);
            try {
                in.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return in;
    }

    private ReplicaException fire(Fault f, Operation op, String key) {
        injected.incrementAndGet();
        return new ReplicaException(f.failure(), "injected fault (" + f + ") on " + op + " '" + key + "' of "
                + delegate.describe());
    }
}
