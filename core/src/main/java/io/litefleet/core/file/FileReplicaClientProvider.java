package io.litefleet.core.file;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.api.replica.ReplicaUrl;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The built-in {@code file} backend: a directory on a local or mounted file system, in upstream's {@code ltx/<level>/}
 * layout, so {@code litestream restore file:///dir} reads what we write and the other way round.
 *
 * <p>Settings: {@code root}, the absolute directory (created if missing). A URL {@code file:///dir} names the
 * destination {@code {root: /dir}} with an empty database path, which is how upstream treats it: the URL's path is
 * the replica directory of one database.
 */
public final class FileReplicaClientProvider implements ReplicaClientProvider {
    /** The settings key naming the destination directory. */
    public static final String ROOT = "root";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public FileReplicaClientProvider() {
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    /** Upstream's file key {@code path} (the replica directory), and {@code root}, its synonym here. */
    @Override
    public Set<String> keys() {
        return Set.of("path", ROOT);
    }

    @Override
    public ReplicaLayout layout() {
        return ReplicaLayout.LTX_DIRS;
    }

    @Override
    public UrlTarget parseUrl(URI url) {
        if (!"file".equalsIgnoreCase(url.getScheme())) {
            throw new ConfigException("replica URL '" + url + "' is not a file:// URL");
        }
        if (url.getRawAuthority() != null && !url.getRawAuthority().isEmpty()
                && !url.getRawAuthority().equals("localhost")) {
            throw new ConfigException("replica URL '" + url + "' names host '" + url.getRawAuthority()
                    + "'; file URLs must be local: file:///absolute/dir");
        }
        ReplicaUrl.rejectFragment(url);
        ReplicaUrl.rejectQuery(url);
        String path = url.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            throw new ConfigException("replica URL '" + url + "' needs a directory: file:///absolute/dir");
        }
        try {
            return shared(Path.of(path).normalize());
        } catch (InvalidPathException e) {
            throw new ConfigException("replica URL '" + url + "' does not name a usable directory: " + e.getReason());
        }
    }

    /**
     * One destination, the file system root, for every file replica: a fleet whose template gives each database its
     * own directory then shares one client instead of holding one per database. Keys are the absolute directory
     * (without its leading slash) plus upstream's {@code ltx/<level>/} layout, so the files are where upstream
     * expects them for {@code file:///<dir>}.
     */
    private static UrlTarget shared(Path dir) {
        String p = UrlTarget.cleanPath(dir.toString());
        if (p.isEmpty()) {
            throw new ConfigException("a file replica cannot be the root directory itself");
        }
        return new UrlTarget(Map.of(ROOT, "/"), p);
    }

    /** Upstream's {@code type: file} section: {@code path} is the replica directory itself. */
    @Override
    public UrlTarget target(Settings section) {
        section.rejectUnknownKeys(Set.of("path", ROOT));
        String dir = section.string("path").or(() -> section.string(ROOT)).orElseThrow(() -> new ConfigException(
                section.origin() + ": a file replica needs 'path', the replica directory"));
        if (!Path.of(dir).isAbsolute()) {
            throw new ConfigException(section.origin() + ": key 'path'" + section.at("path")
                    + " must be an absolute directory, got '" + dir + "'");
        }
        return shared(Path.of(dir).normalize());
    }

    @Override
    public ReplicaClient create(Settings settings) throws ReplicaException {
        settings.rejectUnknownKeys(Set.of(ROOT));
        String text = settings.requireString(ROOT);
        Path root;
        try {
            root = Path.of(text);
        } catch (InvalidPathException e) {
            throw new ConfigException(settings.origin() + ": key '" + ROOT + "' is not a path: '" + text + "'");
        }
        if (!root.isAbsolute()) {
            throw new ConfigException(settings.origin() + ": key '" + ROOT + "' must be an absolute directory, got '"
                    + text + "'");
        }
        return FileReplicaClient.open(root.normalize());
    }
}
