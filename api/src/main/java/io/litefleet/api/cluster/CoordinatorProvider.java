package io.litefleet.api.cluster;

import io.litefleet.api.Settings;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * Creates {@link Coordinator}s of one type (the {@code type:} of the {@code cluster:} section, for example
 * {@code etcd}). Found by {@link java.util.ServiceLoader}; stateless and thread-safe. The registry rejects two
 * providers with the same {@link #type()}.
 */
public interface CoordinatorProvider {

    /** The {@code type:} value this provider serves, for example {@code etcd}; lower case, unique. */
    String type();

    /**
     * The keys a {@code cluster:} section of this type accepts besides the engine's own ({@code type} and
     * {@code instance-id}), for example {@code endpoints} and {@code lease-ttl}. {@link #open} refuses any other key
     * with {@link Settings#rejectUnknownKeys}, which names the file, line, key and these keys. Constant; never null.
     */
    Set<String> keys();

    /**
     * Connects to the coordination service and starts this instance's session (for etcd: grants the lease and
     * starts keeping it alive on a thread from {@link Context#threads()}). When the service is unreachable at
     * start, returns anyway with a session that is not {@link Session#valid() valid} and keeps trying, so an
     * instance started during an outage replicates (with every write fenced, the WAL kept) as soon as the service
     * answers, like one whose service went away later; listeners then hear {@link OwnershipListener#sessionRestored}.
     *
     * @param settings the {@code cluster:} section without {@code type} and {@code instance-id}
     * @param context  this instance's identity, clock and thread factory
     * @return a coordinator the caller closes
     * @throws io.litefleet.api.ConfigException for unknown keys or bad values, naming them
     * @throws CoordinationException             (not retryable) when the service refuses us for good: credentials
     *                                           refused, TLS material unusable, not a service of this type
     */
    Coordinator open(Settings settings, Context context) throws CoordinationException;

    /**
     * What the engine gives a coordinator.
     *
     * @param instanceId this instance's name in the cluster (the {@code instance-id} key, by default the host name);
     *                   stored as the owner of every key it claims and in the metadata of every object it uploads
     * @param nanoClock  a monotonic clock in nanoseconds ({@link System#nanoTime()} outside tests): session validity
     *                   is measured on it, never on wall-clock time, which can jump
     * @param threads    makes every thread the coordinator starts (named {@code litefleet-cluster-<n>}), so the
     *                   engine owns them
     */
    record Context(String instanceId, LongSupplier nanoClock, ThreadFactory threads) {
        /** Validates. */
        public Context {
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(nanoClock, "nanoClock");
            Objects.requireNonNull(threads, "threads");
            if (instanceId.isBlank()) {
                throw new IllegalArgumentException("instanceId must not be blank");
            }
        }
    }
}
