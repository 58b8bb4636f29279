package io.litefleet.replica.gcs;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One GCS destination, as upstream reads it ({@code gs/replica_client.go}, {@code cmd/litestream/main.go}): the key
 * {@code bucket}, and nothing else. Credentials are Google's application default credentials
 * ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's login, the metadata server on GCP); an emulator is reached
 * through {@code STORAGE_EMULATOR_HOST} ({@code host:port} or a URL), as upstream's Go client does, without
 * credentials.
 *
 * @param bucket   the bucket
 * @param emulator the emulator's base URL ({@code http://host:port}), if {@code STORAGE_EMULATOR_HOST} is set
 */
record GcsSettings(String bucket, Optional<String> emulator) {
    static final String BUCKET = "bucket";
    static final String ENV_EMULATOR = "STORAGE_EMULATOR_HOST";
    // GCS bucket names: 3-63 characters (up to 222 with dots), lower-case letters, digits, '-', '_' and '.',
    // starting and ending with a letter or digit.
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

    /**
     * Reads and checks a destination section.
     *
     * @param env the process environment (a parameter, so tests need not change the real one)
     * @throws ConfigException naming the section, the key and the bad value
     */
    static GcsSettings of(Settings s, Map<String, String> env) {
        s.rejectUnknownKeys(Set.of(BUCKET));
        String bucket = s.requireString(BUCKET);
        if (!NAME.matcher(bucket).matches()) {
            throw new ConfigException(s.origin() + ": key '" + BUCKET + "'" + s.at(BUCKET) + " must be a GCS bucket "
                    + "name (3-63 lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or "
                    + "digit), got '" + bucket + "'");
        }
        Optional<String> emulator = Optional.ofNullable(env.get(ENV_EMULATOR)).map(String::trim)
                .filter(h -> !h.isEmpty()).map(GcsSettings::emulatorUrl);
        return new GcsSettings(bucket, emulator);
    }

    /** {@code gs://bucket}. */
    String describe() {
        return "gs://" + bucket;
    }

    /** Go's rule: a host without a scheme is reached over plain http. */
    private static String emulatorUrl(String host) {
        String url = host.contains("://") ? host : "http://" + host;
        if (!url.matches("https?://[^/?#]+/?")) {
            throw new ConfigException("$" + ENV_EMULATOR + " must be host:port or http(s)://host:port, got '" + host
                    + "'");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
