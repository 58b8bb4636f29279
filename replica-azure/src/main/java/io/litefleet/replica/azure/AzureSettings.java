package io.litefleet.replica.azure;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Azure Blob destination, read from upstream's keys: {@code bucket} (the container), {@code account-name},
 * {@code account-key}, {@code sas-token} and {@code endpoint}. Credentials are chosen as upstream chooses them
 * ({@code abs/replica_client.go}, {@code Init}): a SAS token ({@code sas-token} or
 * {@code $LITESTREAM_AZURE_SAS_TOKEN}) first, then a shared key ({@code account-key} or
 * {@code $LITESTREAM_AZURE_ACCOUNT_KEY}, with the account name), else Azure's default credential chain (the
 * {@code AZURE_*} environment of a service principal or workload identity, managed identity, the Azure CLI).
 *
 * <p>{@link #toString()} never shows the key or the token.
 *
 * @param container   the container
 * @param accountName the storage account, if given (required unless {@code endpoint} is)
 * @param endpoint    the blob service URL, {@code https://<account>.blob.core.windows.net} unless configured
 * @param credential  how requests are authorized
 */
record AzureSettings(String container, Optional<String> accountName, String endpoint, Credential credential) {
    static final String BUCKET = "bucket";
    static final String ACCOUNT_NAME = "account-name";
    static final String ACCOUNT_KEY = "account-key";
    static final String SAS_TOKEN = "sas-token";
    static final String ENDPOINT = "endpoint";
    static final String ENV_ACCOUNT_KEY = "LITESTREAM_AZURE_ACCOUNT_KEY";
    static final String ENV_SAS_TOKEN = "LITESTREAM_AZURE_SAS_TOKEN";
    static final Set<String> KEYS = Set.of(BUCKET, ACCOUNT_NAME, ACCOUNT_KEY, SAS_TOKEN, ENDPOINT);
    // Azure's rules: 3-63 of lower-case letters, digits and single hyphens, starting and ending with a letter or
    // digit; "$root" names the account's root container.
    private static final Pattern CONTAINER = Pattern.compile("\\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");

    /** How requests are authorized. */
    sealed interface Credential permits SharedKey, Sas, DefaultChain {
    }

    /** Azure's shared key of {@code accountName}. */
    record SharedKey(String accountName, String key) implements Credential {
        @Override
        public String toString() {
            return "shared key of account " + accountName;
        }
    }

    /** A SAS token, without its leading {@code ?}. */
    record Sas(String token) implements Credential {
        @Override
        public String toString() {
            return "SAS token";
        }
    }

    /** Azure's default credential chain (no secret of ours). */
    record DefaultChain() implements Credential {
        @Override
        public String toString() {
            return "default Azure credential chain";
        }
    }

    /**
     * Reads and checks a destination section.
     *
     * @param env the process environment (a parameter, so tests need not change the real one)
     * @throws ConfigException naming the section, the key and the bad value (never a secret's value)
     */
    static AzureSettings of(Settings s, Map<String, String> env) {
        s.rejectUnknownKeys(KEYS);
        String container = s.requireString(BUCKET);
        if (!CONTAINER.matcher(container).matches()) {
            throw new ConfigException(s.origin() + ": key '" + BUCKET + "'" + s.at(BUCKET) + " must be an Azure "
                    + "container name (3-63 lower-case letters, digits and single hyphens), got '" + container + "'");
        }
        Optional<String> account = nonBlank(s, ACCOUNT_NAME);
        account.filter(a -> !ACCOUNT.matcher(a).matches()).ifPresent(a -> {
            throw new ConfigException(s.origin() + ": key '" + ACCOUNT_NAME + "'" + s.at(ACCOUNT_NAME) + " must be "
                    + "an Azure storage account name (3-24 lower-case letters and digits), got '" + a + "'");
        });
        Optional<String> endpoint = nonBlank(s, ENDPOINT);
        if (endpoint.isEmpty() && account.isEmpty()) {
            throw new ConfigException(s.origin() + ": key '" + ACCOUNT_NAME + "' is required when '" + ENDPOINT
                    + "' is not given (abs://ACCOUNT@CONTAINER/PATH, or account-name: ACCOUNT)");
        }
        String url = endpoint.map(e -> checkEndpoint(s, e))
                .orElseGet(() -> "https://" + account.orElseThrow() + ".blob.core.windows.net");
        Credential credential = credential(s, env, account);
        if (credential instanceof DefaultChain && url.regionMatches(true, 0, "http:", 0, 5)) {
            throw new ConfigException(s.origin() + ": endpoint '" + url + "' is plain http, where Azure's default "
                    + "credential chain cannot send tokens; give key '" + ACCOUNT_KEY + "' or '" + SAS_TOKEN
                    + "' (or $" + ENV_ACCOUNT_KEY + ", $" + ENV_SAS_TOKEN + ")");
        }
        return new AzureSettings(container, account, url, credential);
    }

    /** {@code abs://account@container}, or {@code abs://container} without an account name: never a secret. */
    String describe() {
        return "abs://" + accountName.map(a -> a + "@").orElse("") + container;
    }

    /** The secrets this destination holds, to scrub from any text that leaves the client. */
    Set<String> secrets() {
        return switch (credential) {
            case SharedKey k -> Set.of(k.key());
            case Sas t -> Set.of(t.token());
            case DefaultChain d -> Set.of();
        };
    }

    private static Credential credential(Settings s, Map<String, String> env, Optional<String> account) {
        Optional<String> sas = nonBlank(s, SAS_TOKEN).or(() -> nonBlank(env.get(ENV_SAS_TOKEN)));
        if (sas.isPresent()) {
            String t = sas.get().trim();
            return new Sas(t.startsWith("?") ? t.substring(1) : t);
        }
        Optional<String> key = nonBlank(s, ACCOUNT_KEY).or(() -> nonBlank(env.get(ENV_ACCOUNT_KEY)));
        if (key.isPresent()) {
            if (account.isEmpty()) {
                throw new ConfigException(s.origin() + ": an account key (key '" + ACCOUNT_KEY + "' or $"
                        + ENV_ACCOUNT_KEY + ") needs key '" + ACCOUNT_NAME + "' too");
            }
            checkBase64Key(s, key.get().trim());
            return new SharedKey(account.get(), key.get().trim());
        }
        return new DefaultChain();
    }

    private static void checkBase64Key(Settings s, String key) {
        try {
            java.util.Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            // The value is a secret: say what is wrong with it, never what it is.
            throw new ConfigException(s.origin() + ": the account key (key '" + ACCOUNT_KEY + "' or $"
                    + ENV_ACCOUNT_KEY + ") is not base64 (" + key.length() + " characters); copy it again from the "
                    + "storage account's access keys");
        }
    }

    private static String checkEndpoint(Settings s, String text) {
        try {
            URI u = new URI(text.trim());
            if (("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null && u.getRawQuery() == null && u.getRawFragment() == null) {
                String t = text.trim();
                return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ConfigException(s.origin() + ": key '" + ENDPOINT + "'" + s.at(ENDPOINT) + " must be an http(s) "
                + "URL such as https://ACCOUNT.blob.core.windows.net or http://127.0.0.1:10000/ACCOUNT (no query; "
                + "a SAS token goes in '" + SAS_TOKEN + "'), got '" + text.replaceFirst("\\?.*", "?***") + "'");
    }

    private static Optional<String> nonBlank(Settings s, String key) {
        return s.string(key).filter(v -> !v.isBlank());
    }

    private static Optional<String> nonBlank(String v) {
        return Optional.ofNullable(v).filter(x -> !x.isBlank());
    }

    @Override
    public String toString() {
        return describe() + " at " + endpoint + " (" + credential + ")";
    }
}
