package io.litefleet.replica.azure;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Azure Blob Storage backend, type and scheme {@code abs} as upstream names it, in upstream's
 * {@code <path>/ltx/<level>/} layout. URL: {@code abs://[account@]container/path} (upstream
 * {@code abs/replica_client.go}), giving the destination {@code {bucket: container, account-name: account}} under
 * upstream's config keys; the config form adds {@code account-key}, {@code sas-token} and {@code endpoint} (see
 * {@link AzureSettings} for how credentials are chosen). Stateless.
 */
public final class AzureReplicaClientProvider implements ReplicaClientProvider {
    private static final Set<String> KEYS = Set.copyOf(java.util.stream.Stream.concat(AzureSettings.KEYS.stream(),
            java.util.stream.Stream.of("path")).toList());
    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public AzureReplicaClientProvider() {
    }

    @Override
    public String type() {
        return "abs";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("abs");
    }

    /** Upstream's abs keys: {@code bucket} (the container), {@code path}, {@code account-name}, {@code account-key},
     * {@code sas-token} and {@code endpoint}. */
    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public ReplicaLayout layout() {
        return ReplicaLayout.LTX_DIRS;
    }

    @Override
    public UrlTarget parseUrl(URI url) {
        if (!"abs".equalsIgnoreCase(url.getScheme())) {
            throw new ConfigException("replica URL '" + ReplicaUrl.redact(url.toString()) + "' is not an abs:// URL");
        }
        String authority = url.getRawAuthority() == null ? "" : url.getRawAuthority();
        int at = authority.lastIndexOf('@');
        String container = authority.substring(at + 1);
        if (container.isEmpty()) {
            throw new ConfigException("replica URL '" + ReplicaUrl.redact(url.toString())
                    + "' names no container: abs://[account@]container/path");
        }
        ReplicaUrl.rejectFragment(url);
        ReplicaUrl.rejectQuery(url);
        Map<String, Object> dest = new LinkedHashMap<>();
        dest.put("bucket", container);
        if (at > 0) {
            String user = url.getUserInfo();
            if (user.contains(":")) {
                // Upstream ignores it; taking it silently would let a user believe the key in the URL is used.
                throw new ConfigException("replica URL '" + ReplicaUrl.redact(url.toString()) + "' has a password, "
                        + "which abs URLs do not take: give the key as account-key in a config file or as "
                        + "$" + AzureSettings.ENV_ACCOUNT_KEY);
            }
            dest.put("account-name", user);
        }
        return new UrlTarget(dest, UrlTarget.cleanPath(url.getPath()));
    }

    /** Opens a client; makes no request (a wrong key or missing container shows at the first call). */
    @Override
    public ReplicaClient create(Settings settings) {
        return AzureReplicaClient.open(AzureSettings.of(settings, System.getenv()),
                AzureReplicaClient.Tuning.DEFAULT);
    }
}
