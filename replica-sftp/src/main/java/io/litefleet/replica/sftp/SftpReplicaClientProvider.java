package io.litefleet.replica.sftp;

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
 * The SFTP backend, type and scheme {@code sftp}, in upstream's {@code <path>/ltx/<level>/} layout. URL:
 * {@code sftp://user[:password]@host[:port]/path} (upstream {@code sftp/replica_client.go}), giving the destination
 * {@code {host: host[:port], user, password}} under upstream's config keys. As upstream does, the path loses its
 * leading slash, so it is relative to the login directory.
 *
 * <p>The client itself arrives with the backend issue; {@link #create} says so.
 */
public final class SftpReplicaClientProvider implements ReplicaClientProvider {
    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public SftpReplicaClientProvider() {
    }

    @Override
    public String type() {
        return "sftp";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("sftp");
    }

    @Override
    public ReplicaLayout layout() {
        return ReplicaLayout.LTX_DIRS;
    }

    @Override
    public UrlTarget parseUrl(URI url) {
        String shown = ReplicaUrl.redact(url.toString());
        if (!"sftp".equalsIgnoreCase(url.getScheme())) {
            throw new ConfigException("replica URL '" + shown + "' is not an sftp:// URL");
        }
        String authority = url.getRawAuthority() == null ? "" : url.getRawAuthority();
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        if (host.isEmpty()) {
            throw new ConfigException("replica URL '" + shown + "' names no host: sftp://user@host[:port]/path");
        }
        String userInfo = url.getUserInfo();
        if (userInfo == null || userInfo.isEmpty() || userInfo.startsWith(":")) {
            throw new ConfigException("replica URL '" + shown + "' names no user: sftp://user@host[:port]/path");
        }
        ReplicaUrl.rejectFragment(url);
        ReplicaUrl.rejectQuery(url);
        Map<String, Object> dest = new LinkedHashMap<>();
        dest.put("host", host);
        int colon = userInfo.indexOf(':');
        dest.put("user", colon < 0 ? userInfo : userInfo.substring(0, colon));
        if (colon >= 0) {
            dest.put("password", userInfo.substring(colon + 1));
        }
        return new UrlTarget(dest, UrlTarget.cleanPath(url.getPath()));
    }

    @Override
    public ReplicaClient create(Settings settings) {
        throw new ConfigException(settings.origin() + ": the sftp replica backend is not implemented yet; "
                + "it arrives with the backend issue");
    }
}
