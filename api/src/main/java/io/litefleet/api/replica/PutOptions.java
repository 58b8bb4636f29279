package io.litefleet.api.replica;

import java.util.Map;

/**
 * How to write an object.
 *
 * @param ifAbsent write only if no object exists under the key; otherwise fail with
 *                 {@link ReplicaFailure#PRECONDITION_FAILED}
 * @param metadata user metadata stored with the object where the backend supports it; backends without metadata
 *                 ignore it, except for {@link #TIMESTAMP}, which every backend keeps (see there)
 * @param guard    called by the backend right before its commit point (the request that makes the object visible:
 *                 S3's CompleteMultipartUpload or the single PUT, Azure's commit of the block list, GCS's last chunk,
 *                 the rename or link of SFTP and file); when it throws, the backend abandons the write and rethrows,
 *                 so the object never appears. {@link Guard#NONE} when nothing needs checking
 */
public record PutOptions(boolean ifAbsent, Map<String, String> metadata, Guard guard) {
    /** Plain overwrite without metadata. */
    public static final PutOptions DEFAULT = new PutOptions(false, Map.of());

    /**
     * A last check before an object becomes visible (in cluster mode: that this instance still owns the replica
     * path). Must be cheap and do no I/O; may be called from any thread, more than once.
     */
    @FunctionalInterface
    public interface Guard {
        /** Checks nothing. */
        Guard NONE = () -> { };

        /**
         * Returns when the write may complete.
         *
         * @throws ReplicaException (of kind {@link ReplicaFailure#FENCED} for a lost ownership) when it may not
         */
        void check() throws ReplicaException;

        /**
         * How long a write that passed {@link #check()} now may still take to complete, in nanoseconds: a backend
         * bounds its commit request (with the client library's own retries, which happen after the check) by it.
         * {@link Long#MAX_VALUE}, the default, for no bound.
         */
        default long remainingNanos() {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Upstream's metadata key for an LTX file's creation time, formatted as RFC 3339 with nanoseconds in UTC
     * ({@code 2025-01-02T03:04:05.123456789Z}, Go's {@code time.RFC3339Nano}). Every backend keeps it: stores with
     * user metadata store it under this key (S3 does), the others make it the object's modification time
     * (upstream's file backend does), so {@link ObjectInfo#createdAt()} returns it either way. The constructor
     * rejects a value that is not such a timestamp.
     */
    public static final String TIMESTAMP = "litestream-timestamp";

    /**
     * Metadata key of the instance that wrote the object, in cluster mode ({@link #withOwner}). Stores without user
     * metadata drop it.
     */
    public static final String OWNER_INSTANCE = "litefleet-instance";

    /**
     * Metadata key of the writer's fencing token (decimal), in cluster mode ({@link #withOwner}): a file with a lower
     * token than one already written under the same replica path comes from a stale owner.
     */
    public static final String OWNER_TOKEN = "litefleet-fence";

    /** Go's {@code time.RFC3339Nano} in UTC: {@code 2025-01-02T03:04:05.12Z} (not {@code .120Z}, as ISO_INSTANT has). */
    private static final java.time.format.DateTimeFormatter RFC3339_NANO = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendLiteral('Z').toFormatter(java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    /**
     * Copies the metadata.
     *
     * @throws IllegalArgumentException when the {@link #TIMESTAMP} entry is not an RFC 3339 timestamp
     */
    public PutOptions {
        metadata = Map.copyOf(metadata);
        java.util.Objects.requireNonNull(guard, "guard");
        String ts = metadata.get(TIMESTAMP);
        if (ts != null) {
            parseTimestamp(ts);
        }
    }

    /** Options without a guard. */
    public PutOptions(boolean ifAbsent, Map<String, String> metadata) {
        this(ifAbsent, metadata, Guard.NONE);
    }

    /** The {@link #TIMESTAMP} entry as an instant, if present. */
    public java.util.Optional<java.time.Instant> timestamp() {
        return java.util.Optional.ofNullable(metadata.get(TIMESTAMP)).map(PutOptions::parseTimestamp);
    }

    private static java.time.Instant parseTimestamp(String ts) {
        java.time.Instant fast = parseUtc(ts);
        if (fast != null) {
            return fast;
        }
        try {
            return java.time.OffsetDateTime.parse(ts).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("metadata " + TIMESTAMP + " must be an RFC 3339 timestamp such as "
                    + "2025-01-02T03:04:05.123456789Z, got '" + ts + "'", e);
        }
    }

    /**
     * The form {@link #withTimestamp} writes ({@code uuuu-MM-ddTHH:mm:ss[.f{1,9}]Z}) without a formatter: every put
     * carries one, checked here and read again by the backend. Null for any other form (the general parser decides).
     */
    private static java.time.Instant parseUtc(String ts) {
        int n = ts.length();
        if (n < 20 || ts.charAt(4) != '-' || ts.charAt(7) != '-' || ts.charAt(10) != 'T' || ts.charAt(13) != ':'
                || ts.charAt(16) != ':' || ts.charAt(n - 1) != 'Z') {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int digits = n - 21;
            if (ts.charAt(19) != '.' || digits < 1 || digits > 9) {
                return null;
            }
            int f = digits(ts, 20, 20 + digits);
            if (f < 0) {
                return null;
            }
            nanos = f * (int) Math.pow(10, 9 - digits);
        }
        int year = digits(ts, 0, 4);
        int month = digits(ts, 5, 7);
        int day = digits(ts, 8, 10);
        int hour = digits(ts, 11, 13);
        int minute = digits(ts, 14, 16);
        int second = digits(ts, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        try {
            return java.time.LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return null; // out of range: the general parser reports it
        }
    }

    /** The decimal number in {@code s[from, to)}; -1 when a character is not an ASCII digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Conditional create without metadata. */
    public static PutOptions createOnly() {
        return new PutOptions(true, Map.of());
    }

    /**
     * These options plus the {@link #TIMESTAMP} entry for {@code createdAt}, written exactly as upstream writes it
     * (Go's {@code time.RFC3339Nano}: trailing zeros of the fraction dropped, no fraction for whole seconds).
     */
    public PutOptions withTimestamp(java.time.Instant createdAt) {
        Map<String, String> m = new java.util.HashMap<>(metadata);
        m.put(TIMESTAMP, RFC3339_NANO.format(createdAt));
        return new PutOptions(ifAbsent, m, guard);
    }

    /** Options with the given metadata (replacing the present entries). */
    public PutOptions withMetadata(Map<String, String> more) {
        return new PutOptions(ifAbsent, more, guard);
    }

    /**
     * These options plus the owner's {@link #OWNER_INSTANCE} and {@link #OWNER_TOKEN} entries (cluster mode; single
     * node writes neither, so its objects are as upstream's).
     *
     * @throws IllegalArgumentException for a blank instance or a token below 1
     */
    public PutOptions withOwner(String instance, long token) {
        if (instance == null || instance.isBlank() || token < 1) {
            throw new IllegalArgumentException("an owner needs an instance id and a token of at least 1, got '"
                    + instance + "' and " + token);
        }
        Map<String, String> m = new java.util.HashMap<>(metadata);
        m.put(OWNER_INSTANCE, instance);
        m.put(OWNER_TOKEN, Long.toString(token));
        return new PutOptions(ifAbsent, m, guard);
    }

    /** These options with {@code check} as the {@link #guard()}. */
    public PutOptions withGuard(Guard check) {
        return new PutOptions(ifAbsent, metadata, check);
    }
}
