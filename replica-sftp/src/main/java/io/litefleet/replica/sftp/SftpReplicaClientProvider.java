package io.litefleet.replica.sftp;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;

/**
 * The SFTP backend, type and scheme {@code sftp}, in upstream's {@code <path>/ltx/<level>/} layout. URL:
 * {@code sftp://user[:password]@host[:port]/path} (upstream {@code sftp/replica_client.go}), giving the destination
 * {@code {host: host[:port], user, password}} under upstream's config keys. As upstream does, the path loses its
 * leading slash, so it is relative to the login directory; a path written with two slashes
 * ({@code sftp://user@host//srv/backups/db}) is absolute (upstream has no URL form for that; its config form
 * {@code path: /srv/backups/db} is read the same way here, see {@link #target}).
 *
 * <p>Settings and behaviour: {@link SftpSettings} and {@link SftpReplicaClient}. Host keys are checked by default
 * ({@link HostKeyPolicy}).
 */
public final class SftpReplicaClientProvider implements ReplicaClientProvider {
    private static final Set<String> KEYS = Set.copyOf(java.util.stream.Stream.concat(SftpSettings.KEYS.stream(),
            java.util.stream.Stream.of("path")).toList());
    private static final System.Logger LOG = System.getLogger(SftpReplicaClientProvider.class.getName());
    /**
     * sshj's loggers (bound to java.util.logging), held because java.util.logging keeps loggers only weakly. Unless a
     * logging configuration set their levels: sshj speaks at WARNING and above (it logs every connection's identity
     * strings at INFO), and its transport's "Dying because" error with a stack trace, which repeats the failure the
     * call that met it reports, is off.
     */
    private static final List<Logger> SSHJ_LOGGERS = quietSshj();

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public SftpReplicaClientProvider() {
    }

    private static List<Logger> quietSshj() {
        List<Logger> loggers = List.of(Logger.getLogger("net.schmizz"), Logger.getLogger("com.hierynomus"),
                Logger.getLogger("net.schmizz.sshj.transport.TransportImpl"));
        for (Logger l : loggers) {
            if (l.getLevel() == null) {
                l.setLevel(l.getName().endsWith("TransportImpl") ? Level.OFF : Level.WARNING);
            }
        }
        return loggers;
    }

    @Override
    public String type() {
        return "sftp";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("sftp");
    }

    /**
     * Upstream's sftp keys ({@code host}, {@code user}, {@code password}, {@code path}, {@code key-path},
     * {@code host-key}, {@code concurrent-writes}) plus ours ({@code key-passphrase}, {@code known-hosts-path},
     * {@code insecure-ignore-host-key}, {@code channels}, {@code root}).
     */
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
        String rawPath = url.getRawPath() == null ? "" : url.getRawPath();
        if (rawPath.startsWith("//")) {
            dest.put(SftpSettings.ROOT, "/");
        }
        int colon = userInfo.indexOf(':');
        dest.put("user", colon < 0 ? userInfo : userInfo.substring(0, colon));
        if (colon >= 0) {
            dest.put("password", userInfo.substring(colon + 1));
        }
        return new UrlTarget(dest, UrlTarget.cleanPath(url.getPath()));
    }

    /**
     * Upstream's config form: {@code path} relative to the login directory, or absolute when it starts with
     * {@code /} (then the destination gets {@code root: /}, so databases under one absolute tree share a client).
     */
    @Override
    public UrlTarget target(Settings section) {
        UrlTarget t = ReplicaClientProvider.super.target(section);
        if (section.string("path").orElse("").startsWith("/") && !section.has(SftpSettings.ROOT)) {
            Map<String, Object> dest = new LinkedHashMap<>(t.destination());
            dest.put(SftpSettings.ROOT, "/");
            return new UrlTarget(dest, t.path());
        }
        return t;
    }

    /**
     * Opens a client; it connects at its first call. Reads the key file (and decrypts it) and checks the host key
     * settings now, so configuration mistakes surface at start.
     */
    @Override
    public ReplicaClient create(Settings settings) {
        SftpSettings s = SftpSettings.parse(settings);
        Config config = new DefaultConfig();
        HostKeyPolicy hostKeys = HostKeyPolicy.of(s, settings.origin());
        SftpLogin login = SftpLogin.of(s, config, settings.origin());
        if (s.insecureIgnoreHostKey()) {
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}: {2} is true: the server''s host key will not be "
                    + "checked, so anyone on the network path can impersonate it", settings.origin(), s.describe(),
                    SftpSettings.INSECURE_IGNORE_HOST_KEY);
        }
        return new SftpReplicaClient(s, new SftpSession(s, hostKeys, login, config));
    }
}
