package io.litefleet.api.replica;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A live connection to one replica destination (a bucket, container, directory or SFTP root) holding immutable
 * objects under slash-separated keys. One client serves every database replicated to that destination, so
 * implementations must be thread-safe and pool their connections. Keys are relative to the destination's root and
 * have the shape {@link ReplicaKey} checks; every method rejects other keys and prefixes with
 * {@link ReplicaFailure#INVALID} before any I/O.
 *
 * <p>Every remote failure is a {@link ReplicaException} whose {@link ReplicaFailure} tells retry logic what to do.
 * The client is closed by whoever created it, through {@link ReplicaClientProvider#create}.
 */
public interface ReplicaClient extends AutoCloseable {

    /** The provider type that created this client, for example {@code file} or {@code s3}. */
    String type();

    /**
     * The destination, for messages and as the catalog's record of where a database replicates: {@code
     * scheme://authority/path} with the path as it is, not percent-encoded, for example {@code s3://bucket/prefix}.
     * {@link ReplicaUrl#escape} turns it into a URL. Never a secret.
     */
    String describe();

    /**
     * Writes the whole body under the key, atomically: readers see either no object or all of it.
     *
     * @return what was written
     */
    ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException;

    /** Opens the whole object; the caller closes the stream. {@link ReplicaFailure#NOT_FOUND} if absent. */
    InputStream get(String key) throws ReplicaException;

    /**
     * Opens {@code length} bytes from {@code offset} (fewer if the object ends first, none if it starts past the
     * end); the caller closes it. A negative offset or length is {@link ReplicaFailure#INVALID}.
     */
    InputStream get(String key, long offset, long length) throws ReplicaException;

    /** The object's size, time and metadata, or empty if absent. */
    Optional<ObjectInfo> stat(String key) throws ReplicaException;

    /**
     * Every object whose key starts with {@code prefix}, sorted by key. A prefix naming nothing yields an empty
     * list, not an error. Metadata may be left empty.
     */
    List<ObjectInfo> list(String prefix) throws ReplicaException;

    /** Deletes the keys; keys already absent are not an error. */
    void delete(Collection<String> keys) throws ReplicaException;

    /** Releases connections and threads. Idempotent. */
    @Override
    void close();
}
