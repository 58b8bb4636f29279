package io.litefleet.replica.s3;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The {@code s3} backend (AWS S3 and S3-compatible stores), in upstream's {@code <path>/<level %04x>/} layout.
 *
 * <p>URLs follow upstream v0.5.16 ({@code s3/replica_client.go NewReplicaClientFromURL}):
 * {@code s3://bucket/path}, {@code s3://bucket.s3.<region>.amazonaws.com/path}, MinIO-style
 * {@code s3://bucket.host:port/path} (endpoint {@code http://host:port}, path-style, region {@code us-east-1}),
 * and query parameters {@code endpoint}, {@code region}, {@code force-path-style}, {@code skip-verify},
 * {@code sign-payload}, {@code require-content-md5}, {@code concurrency}, {@code part-size},
 * {@code storage-class} and the SSE keys, each also in upstream's camelCase spelling. They become destination
 * settings under upstream's kebab-case config keys. Unknown parameters are rejected. Not yet: access-point ARNs
 * and the DigitalOcean/Backblaze/Filebase/Scaleway host shortcuts.
 *
 * <p>{@link #create} reads a destination section ({@link S3Config}: {@code bucket}, {@code region}, {@code endpoint},
 * {@code force-path-style}, {@code access-key-id}, {@code secret-access-key}, {@code part-size},
 * {@code storage-class}, the SSE keys, ...) and opens one {@link S3ReplicaClient} for it. {@code concurrency} is
 * accepted and checked for upstream's configs and URLs, but parts go up one at a time per upload (see
 * {@link MultipartUpload}). Messages show URLs with an {@code sse-customer-key} masked.
 */
public final class S3ReplicaClientProvider implements ReplicaClientProvider {
    private static final Pattern AWS_HOST = Pattern.compile("^(.+)\\.s3(?:\\.([^.]+))?\\.amazonaws\\.com$");
    private static final String DEFAULT_REGION = "us-east-1";
    /** Query parameter (either spelling) to config key. */
    private static final Map<String, String> QUERY_KEYS = queryKeys();
    private static final Set<String> KEYS = with(S3Config.KEYS, "path");

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public S3ReplicaClientProvider() {
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    /** Upstream's s3 keys ({@code ReplicaSettings} and {@code path}) plus {@code sse-customer-key-md5}. */
    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public ReplicaLayout layout() {
        return ReplicaLayout.HEX_LEVEL_DIRS;
    }

    @Override
    public UrlTarget parseUrl(URI url) {
        if (!"s3".equalsIgnoreCase(url.getScheme())) {
            throw new ConfigException("replica URL '" + redact(url) + "' is not an s3:// URL");
        }
        String host = url.getRawAuthority() == null ? "" : url.getRawAuthority();
        Map<String, Object> dest = new LinkedHashMap<>();
        Matcher aws = AWS_HOST.matcher(host);
        if (host.contains(":") && !host.contains(".com")) {
            int dot = host.indexOf('.');
            if (dot <= 0) {
                throw new ConfigException("replica URL '" + redact(url) + "' names no bucket: use s3://bucket.host:port/path "
                        + "or s3://bucket/path?endpoint=host:port");
            }
            dest.put("bucket", host.substring(0, dot));
            dest.put("region", DEFAULT_REGION);
            dest.put("endpoint", "http://" + host.substring(dot + 1));
            dest.put("force-path-style", "true");
        } else if (aws.matches()) {
            dest.put("bucket", aws.group(1));
            if (aws.group(2) != null) {
                dest.put("region", aws.group(2));
            }
        } else {
            dest.put("bucket", host);
        }
        if (dest.get("bucket").toString().isEmpty()) {
            throw new ConfigException("replica URL '" + redact(url) + "' names no bucket: s3://bucket/path");
        }
        ReplicaUrl.rejectFragment(url);
        applyQuery(url, dest);
        return new UrlTarget(dest, UrlTarget.cleanPath(url.getPath()));
    }

    private static void applyQuery(URI url, Map<String, Object> dest) {
        if (url.getRawQuery() == null || url.getRawQuery().isEmpty()) {
            return;
        }
        boolean pathStyleGiven = false;
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            String key = QUERY_KEYS.get(name);
            if (key == null) {
                throw new ConfigException("replica URL '" + redact(url) + "': unknown query parameter '" + name
                        + "' (known: " + String.join(", ", new java.util.TreeSet<>(QUERY_KEYS.values())) + ")");
            }
            if (value.isEmpty()) {
                continue; // upstream ignores empty values
            }
            if (key.equals("endpoint")) {
                value = withScheme(value);
            }
            pathStyleGiven |= key.equals("force-path-style");
            dest.put(key, value);
        }
        if (dest.containsKey("endpoint") && !pathStyleGiven) {
            dest.put("force-path-style", "true"); // upstream: custom endpoints default to path style
        }
    }

    /** Upstream's {@code EnsureEndpointScheme}: http for local endpoints, https otherwise. */
    static String withScheme(String endpoint) {
        if (endpoint.startsWith("http://") || endpoint.startsWith("https://")) {
            return endpoint;
        }
        String host = endpoint.replaceFirst(":\\d+$", "").replaceFirst("/.*$", "");
        boolean local = host.equals("localhost") || host.startsWith("127.") || host.startsWith("10.")
                || host.startsWith("192.168.") || host.matches("172\\.(1[6-9]|2\\d|3[01])\\..*")
                || host.endsWith(".local") || host.equals("::1");
        return (local ? "http://" : "https://") + endpoint;
    }

    @Override
    public ReplicaClient create(Settings settings) {
        S3Config config = S3Config.parse(settings, System.getenv());
        try {
            return S3ReplicaClient.open(config, Clock.systemUTC());
        } catch (SdkException e) {
            throw new ConfigException(settings.origin() + ": cannot set up the S3 client for s3://" + config.bucket()
                    + ": " + new S3Errors("s3://" + config.bucket(), config.secrets()).scrub(
                            String.valueOf(e.getMessage())), e);
        }
    }

    /** The URL for messages: an {@code sse-customer-key} parameter's value masked. */
    static String redact(URI url) {
        return ReplicaUrl.redact(url.toString()).replaceAll("(?i)((?:sse-customer-key|sseCustomerKey)=)[^&#]*",
                "$1***");
    }

    private static Set<String> with(Set<String> keys, String key) {
        Set<String> all = new java.util.HashSet<>(keys);
        all.add(key);
        return Set.copyOf(all);
    }

    private static Map<String, String> queryKeys() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : new String[] {"endpoint", "region", "concurrency", "force-path-style", "skip-verify",
                "sign-payload", "require-content-md5", "part-size", "storage-class", "sse-customer-algorithm",
                "sse-customer-key", "sse-customer-key-md5", "sse-kms-key-id"}) {
            m.put(k, k);
        }
        m.put("forcePathStyle", "force-path-style");
        m.put("skipVerify", "skip-verify");
        m.put("signPayload", "sign-payload");
        m.put("requireContentMD5", "require-content-md5");
        m.put("partSize", "part-size");
        m.put("storageClass", "storage-class");
        m.put("sseCustomerAlgorithm", "sse-customer-algorithm");
        m.put("sseCustomerKey", "sse-customer-key");
        m.put("sseCustomerKeyMD5", "sse-customer-key-md5");
        m.put("sseKmsKeyId", "sse-kms-key-id");
        return Map.copyOf(m);
    }
}
