package io.litefleet.replica.s3;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One S3 destination's settings, read once from its config section under upstream's key names.
 *
 * <p>{@link #toString()} masks the secrets; {@link #secrets()} lists them so messages can be scrubbed.
 *
 * @param bucket            the bucket
 * @param region            {@code region}, else {@code $AWS_REGION}/{@code $AWS_DEFAULT_REGION}; empty means
 *                          the SDK's profile lookup, then {@code us-east-1} (with cross-region access on AWS)
 * @param endpoint          {@code endpoint} for S3-compatible stores; empty means AWS
 * @param forcePathStyle    {@code force-path-style}; defaults to true with an endpoint, as upstream
 * @param credentials       {@code access-key-id} plus {@code secret-access-key} (else upstream's
 *                          {@code $LITESTREAM_ACCESS_KEY_ID}/{@code $LITESTREAM_SECRET_ACCESS_KEY} when no
 *                          {@code $AWS_ACCESS_KEY_ID} is set); empty means the SDK's default chain
 * @param skipVerify        {@code skip-verify}: trust any TLS certificate
 * @param signPayload       {@code sign-payload} (default true): false sends {@code UNSIGNED-PAYLOAD} over HTTPS
 * @param requireContentMd5 {@code require-content-md5} (default true): Content-MD5 on the requests that need a
 *                          checksum (DeleteObjects), which older S3-compatible servers insist on
 * @param partSize          {@code part-size}: bodies at least this long go up in parts of this size
 * @param storageClass      {@code storage-class}, if given
 * @param sse               server-side encryption
 */
record S3Config(String bucket, Optional<String> region, Optional<URI> endpoint, boolean forcePathStyle,
                Optional<Credentials> credentials, boolean skipVerify, boolean signPayload, boolean requireContentMd5,
                long partSize, Optional<String> storageClass, Sse sse) {

    /** S3's smallest part (every part but the last). */
    static final long MIN_PART_SIZE = 5L << 20;
    /** S3's largest part and largest single PUT. */
    static final long MAX_PART_SIZE = 5L << 30;
    /** Upstream's (the Go SDK uploader's) default part size. */
    static final long DEFAULT_PART_SIZE = MIN_PART_SIZE;

    static final Set<String> KEYS = Set.of("bucket", "region", "endpoint", "force-path-style", "access-key-id",
            "secret-access-key", "skip-verify", "sign-payload", "require-content-md5", "concurrency", "part-size",
            "storage-class", "sse-customer-algorithm", "sse-customer-key", "sse-customer-key-path",
            "sse-customer-key-md5", "sse-kms-key-id");

    /** Loose on purpose: S3-compatible stores (and AWS's legacy buckets) allow more than today's AWS rules. */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1_000L), Map.entry("kb", 1_000L), Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10),
            Map.entry("m", 1_000_000L), Map.entry("mb", 1_000_000L), Map.entry("mi", 1L << 20),
            Map.entry("mib", 1L << 20), Map.entry("g", 1_000_000_000L), Map.entry("gb", 1_000_000_000L),
            Map.entry("gi", 1L << 30), Map.entry("gib", 1L << 30));

    /**
     * Static credentials. {@link #toString()} masks the secret.
     *
     * @param accessKeyId     the access key id (not a secret, but not printed either)
     * @param secretAccessKey the secret
     */
    record Credentials(String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "Credentials[***]";
        }
    }

    /**
     * Server-side encryption, as upstream applies it: SSE-C (a customer key sent with every request) or SSE-KMS
     * (a KMS key id on writes), never both. {@link #toString()} masks the customer key.
     *
     * @param customerAlgorithm SSE-C algorithm, {@code AES256}; empty without SSE-C
     * @param customerKey       SSE-C key, base64 of 32 bytes; empty without SSE-C
     * @param customerKeyMd5    base64 MD5 of the decoded key, computed when not given; empty without SSE-C
     * @param kmsKeyId          SSE-KMS key id, ARN or alias; empty without SSE-KMS
     */
    record Sse(Optional<String> customerAlgorithm, Optional<String> customerKey, Optional<String> customerKeyMd5,
               Optional<String> kmsKeyId) {
        static final Sse NONE = new Sse(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        @Override
        public String toString() {
            return "Sse[customer=" + customerKey.map(k -> "***").orElse("none") + ", kms="
                    + kmsKeyId.orElse("none") + "]";
        }
    }

    @Override
    public String toString() {
        return "S3Config[bucket=" + bucket + ", region=" + region.orElse("default") + ", endpoint="
                + endpoint.map(URI::toString).orElse("AWS") + ", forcePathStyle=" + forcePathStyle + ", credentials="
                + credentials.map(c -> "static").orElse("default chain") + ", partSize=" + partSize + ", sse=" + sse
                + "]";
    }

    /** The values that must never appear in a message or log. */
    List<String> secrets() {
        List<String> s = new ArrayList<>();
        credentials.ifPresent(c -> s.add(c.secretAccessKey()));
        sse.customerKey().ifPresent(s::add);
        return List.copyOf(s);
    }

    /**
     * Reads a destination section.
     *
     * @param env the process environment (injected for tests)
     * @throws ConfigException naming the section, the key and the bad value (never a secret's value)
     */
    static S3Config parse(Settings s, Map<String, String> env) {
        s.rejectUnknownKeys(KEYS);
        String bucket = s.requireString("bucket").trim();
        if (!BUCKET.matcher(bucket).matches()) {
            throw new ConfigException(s.origin() + ": key 'bucket'" + s.at("bucket") + " is not a bucket name "
                    + "(letters, digits, '.', '_' and '-'; a path inside the bucket goes in 'path'), got '" + bucket
                    + "'");
        }
        Optional<URI> endpoint = nonBlank(s, "endpoint").map(e -> endpoint(s, e));
        Optional<String> region = nonBlank(s, "region")
                .or(() -> env(env, "AWS_REGION")).or(() -> env(env, "AWS_DEFAULT_REGION"));
        boolean pathStyle = s.bool("force-path-style", endpoint.isPresent());
        long partSize = s.has("part-size") ? byteSize(s, "part-size") : DEFAULT_PART_SIZE;
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new ConfigException(s.origin() + ": key 'part-size'" + s.at("part-size") + " must be between 5MiB "
                    + "and 5GiB (S3's part limits), got '" + s.string("part-size").orElse("") + "'");
        }
        s.integer("concurrency", 1, 1, 1_000); // accepted for upstream's configs; see S3ReplicaClientProvider
        return new S3Config(bucket, region, endpoint, pathStyle, credentials(s, env), s.bool("skip-verify", false),
                s.bool("sign-payload", true), s.bool("require-content-md5", true), partSize,
                nonBlank(s, "storage-class").map(c -> c.trim().toUpperCase(Locale.ROOT)), sse(s, endpoint));
    }

    private static Optional<Credentials> credentials(Settings s, Map<String, String> env) {
        Optional<String> id = nonBlank(s, "access-key-id");
        Optional<String> secret = nonBlank(s, "secret-access-key");
        if (id.isPresent() != secret.isPresent()) {
            throw new ConfigException(s.origin() + ": give both 'access-key-id' and 'secret-access-key', or "
                    + "neither (then the AWS default credentials chain is used); only '"
                    + (id.isPresent() ? "access-key-id" : "secret-access-key") + "' is set");
        }
        if (id.isPresent()) {
            return Optional.of(new Credentials(id.get(), secret.get()));
        }
        // Upstream's fallback, only where the AWS variables would not win anyway.
        Optional<String> lsId = env(env, "LITESTREAM_ACCESS_KEY_ID");
        Optional<String> lsSecret = env(env, "LITESTREAM_SECRET_ACCESS_KEY");
        if (env(env, "AWS_ACCESS_KEY_ID").isEmpty() && lsId.isPresent() && lsSecret.isPresent()) {
            return Optional.of(new Credentials(lsId.get(), lsSecret.get()));
        }
        return Optional.empty();
    }

    private static Sse sse(Settings s, Optional<URI> endpoint) {
        Optional<String> key = nonBlank(s, "sse-customer-key");
        Optional<String> keyPath = nonBlank(s, "sse-customer-key-path");
        Optional<String> kms = nonBlank(s, "sse-kms-key-id");
        if (key.isPresent() && keyPath.isPresent()) {
            throw new ConfigException(s.origin() + ": give 'sse-customer-key' or 'sse-customer-key-path', not both");
        }
        if (keyPath.isPresent()) {
            key = Optional.of(readKey(s, keyPath.get()));
        }
        if (key.isEmpty()) {
            for (String k : List.of("sse-customer-algorithm", "sse-customer-key-md5")) {
                if (nonBlank(s, k).isPresent()) {
                    throw new ConfigException(s.origin() + ": key '" + k + "'" + s.at(k) + " needs 'sse-customer-key'"
                            + " or 'sse-customer-key-path'");
                }
            }
            return new Sse(Optional.empty(), Optional.empty(), Optional.empty(), kms);
        }
        if (kms.isPresent()) {
            throw new ConfigException(s.origin() + ": 'sse-customer-key' and 'sse-kms-key-id' are mutually exclusive");
        }
        String algorithm = nonBlank(s, "sse-customer-algorithm").orElse("AES256");
        if (!algorithm.equals("AES256")) {
            throw new ConfigException(s.origin() + ": key 'sse-customer-algorithm'" + s.at("sse-customer-algorithm")
                    + " must be AES256, got '" + algorithm + "'");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(key.get().trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.origin() + ": key 'sse-customer-key' must be base64 (value not shown)");
        }
        if (raw.length != 32) {
            throw new ConfigException(s.origin() + ": key 'sse-customer-key' must decode to 32 bytes (256 bits), got "
                    + raw.length + " bytes (value not shown)");
        }
        if (endpoint.isPresent() && endpoint.get().getScheme().equals("http") && !isLocal(endpoint.get().getHost())) {
            throw new ConfigException(s.origin() + ": 'sse-customer-key' needs an https endpoint (http only on "
                    + "loopback and private networks), got '" + endpoint.get() + "'");
        }
        String md5 = nonBlank(s, "sse-customer-key-md5").orElseGet(() -> md5(raw));
        return new Sse(Optional.of(algorithm), Optional.of(key.get().trim()), Optional.of(md5), Optional.empty());
    }

    private static String readKey(Settings s, String path) {
        String p = path.startsWith("~") ? System.getProperty("user.home") + path.substring(1) : path;
        try {
            return Files.readString(Path.of(p), StandardCharsets.UTF_8).trim();
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            throw new ConfigException(s.origin() + ": key 'sse-customer-key-path'" + s.at("sse-customer-key-path")
                    + ": cannot read '" + path + "': " + e.getMessage());
        }
    }

    private static URI endpoint(Settings s, String text) {
        String t = S3ReplicaClientProvider.withScheme(text.trim());
        try {
            URI u = new URI(t);
            if (u.getHost() == null || u.getRawQuery() != null || u.getRawFragment() != null
                    || u.getRawUserInfo() != null) {
                throw new URISyntaxException(t, "expected http(s)://host[:port][/path]");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigException(s.origin() + ": key 'endpoint'" + s.at("endpoint") + " is not an http(s) URL "
                    + "such as http://127.0.0.1:7070, got '" + text + "'");
        }
    }

    /** Loopback or RFC 1918 private hosts, where plain HTTP with SSE-C is allowed (as upstream). */
    private static boolean isLocal(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.startsWith("10.")
                || host.startsWith("192.168.") || host.matches("172\\.(1[6-9]|2\\d|3[01])\\..*")
                || host.equals("[::1]");
    }

    /** A size like upstream's (go-humanize): {@code 5242880}, {@code 5MiB}, {@code 8MB}, {@code 1.5GiB}. */
    static long byteSize(Settings s, String key) {
        String text = s.requireString(key);
        Matcher m = BYTES.matcher(text.trim().toLowerCase(Locale.ROOT));
        Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
        if (unit == null) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " must be a size such as "
                    + "5242880, 5MiB or 8MB, got '" + text + "'");
        }
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).longValueExact();
        } catch (ArithmeticException e) {
            throw new ConfigException(s.origin() + ": key '" + key + "'" + s.at(key) + " must be a whole number of "
                    + "bytes, got '" + text + "'");
        }
    }

    private static Optional<String> nonBlank(Settings s, String key) {
        return s.string(key).filter(v -> !v.isBlank());
    }

    private static Optional<String> env(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    private static String md5(byte[] raw) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(raw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }
}
