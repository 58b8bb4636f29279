package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaKey;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteDirectory;
import net.schmizz.sshj.sftp.RemoteResourceFilter;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.Response.StatusCode;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * A {@link ReplicaClient} over SFTP: key {@code a/b/c} is the file {@code a/b/c} relative to the login directory (as
 * upstream's sftp client has it), or under the configured absolute {@code root}. One pooled session
 * ({@link SftpSession}) serves every database of the destination.
 *
 * <p><b>Atomic writes.</b> The body streams into {@code .<name>.<random>.tmp} in the key's own directory (created
 * exclusively, parents made on demand), is given the {@link PutOptions#TIMESTAMP} as its modification time (SFTP has
 * no user metadata; upstream's sftp client does the same with {@code Chtimes}, in whole seconds), is synced to the
 * server's disk with {@code fsync@openssh.com} where offered, and is then renamed to the key. An overwrite renames
 * with {@code posix-rename@openssh.com} (OpenSSH offers it: {@code rename(2)}, atomic replacement); on servers without
 * it, a rename refused because the key exists becomes remove-then-rename, during which readers briefly see no
 * object (never a partial one). A failed upload removes its temp file, or, when the connection died under it, the
 * session removes it after reconnecting; listings never show names ending in {@code .tmp} (upstream's temp files end
 * so too), and keys ending so are refused.
 *
 * <p><b>Conditional create.</b> {@code ifAbsent} renames with plain {@code SSH_FXP_RENAME}, which SFTP v3 defines to
 * fail when the new name exists. OpenSSH's server implements it with {@code link(2)} and {@code unlink(2)}, so the
 * check and the creation are one atomic step and of racing writers exactly one wins; the others get
 * {@link ReplicaFailure#PRECONDITION_FAILED}. (Servers that implement the rename as check-then-rename are racy.)
 *
 * <p>Thread-safe. {@link #close()} disconnects.
 */
final class SftpReplicaClient implements ReplicaClient {
    private static final String TEMP_SUFFIX = SftpUpload.TEMP_SUFFIX;
    /** Removes in flight during a {@link #delete}. */
    private static final int DELETE_WINDOW = 64;

    private final SftpSettings settings;
    private final SftpSession session;
    private final String destination;

    SftpReplicaClient(SftpSettings settings, SftpSession session) {
        this.settings = settings;
        this.session = session;
        this.destination = settings.describe();
    }

    @Override
    public String type() {
        return "sftp";
    }

    /**
     * {@code sftp://user@host:port}, plus {@code /<root>} when keys are under an absolute directory
     * ({@code sftp://user@host:22//srv/backups}: {@link SftpReplicaClientProvider#parseUrl} reads a path that starts
     * with two slashes as absolute).
     */
    @Override
    public String describe() {
        return destination;
    }

    @Override
    public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
        checkKey(key);
        SftpUpload upload = new SftpUpload(settings, session, key, body, options);
        return session.call("put", key, upload::repeatable, upload);
    }

    @Override
    public InputStream get(String key) throws ReplicaException {
        return get(key, 0, Long.MAX_VALUE);
    }

    @Override
    public InputStream get(String key, long offset, long length) throws ReplicaException {
        checkKey(key);
        if (offset < 0 || length < 0) {
            throw SftpErrors.of(ReplicaFailure.INVALID, destination, "get", key, "offset " + offset + " and length "
                    + length + " must not be negative");
        }
        long end = offset + length < 0 ? Long.MAX_VALUE : offset + length;
        String path = settings.remote(key);
        return session.call("get", key, SftpSession.Repeat.ALWAYS, ch -> new SftpObjectStream(
                SftpFile.open(ch.engine(), path, EnumSet.of(OpenMode.READ)), offset, end, session, ch.owner(),
                destination, key));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws ReplicaException {
        checkKey(key);
        String path = settings.remote(key);
        return session.call("stat", key, SftpSession.Repeat.ALWAYS, ch -> {
            try {
                FileAttributes a = ch.engine().stat(path);
                return a.getType() == FileMode.Type.REGULAR ? Optional.of(info(key, a)) : Optional.empty();
            } catch (SFTPException e) {
                if (SftpErrors.status(e) == StatusCode.NO_SUCH_FILE) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /**
     * Walks the directory that holds the prefix's last segment: one {@code READDIR} sequence per directory that can
     * hold matching keys. Symbolic links are not followed and temp files are skipped.
     */
    @Override
    public List<ObjectInfo> list(String prefix) throws ReplicaException {
        checkOpen();
        ReplicaKey.checkPrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        String dir = slash < 0 ? "" : prefix.substring(0, slash);
        String namePrefix = prefix.substring(slash + 1);
        return session.call("list", prefix, SftpSession.Repeat.ALWAYS, ch -> {
            List<ObjectInfo> found = new ArrayList<>();
            walk(ch.engine(), dir, namePrefix, found);
            found.sort(Comparator.comparing(ObjectInfo::key));
            return found;
        });
    }

    /** Sends up to {@value #DELETE_WINDOW} removes before waiting for their answers; absent keys are fine. */
    @Override
    public void delete(Collection<String> keys) throws ReplicaException {
        checkOpen();
        for (String key : keys) {
            checkKey(key);
        }
        if (keys.isEmpty()) {
            return;
        }
        List<String> all = List.copyOf(keys);
        session.call("delete", all.size() == 1 ? all.get(0) : all.size() + " keys from " + all.get(0),
                SftpSession.Repeat.ALWAYS, ch -> {
                    new SftpRemovals(ch.engine(), settings, DELETE_WINDOW).removeAll(all);
                    return null;
                });
    }

    @Override
    public void close() {
        session.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** How many SFTP channels the current connection has open (0 when not connected); for tests. */
    int channelCount() {
        return session.channelCount();
    }

    private void walk(SFTPEngine e, String dir, String namePrefix, List<ObjectInfo> found) throws IOException {
        List<RemoteResourceInfo> entries;
        try (RemoteDirectory d = e.openDir(settings.remote(dir))) {
            entries = d.scan((RemoteResourceFilter) info -> info.getName().startsWith(namePrefix));
        } catch (SFTPException x) {
            if (SftpErrors.status(x) == StatusCode.NO_SUCH_FILE) {
                return; // nothing there, or a file where a directory would be
            }
            throw x;
        }
        for (RemoteResourceInfo entry : entries) {
            String key = dir.isEmpty() ? entry.getName() : dir + "/" + entry.getName();
            FileMode.Type type = entry.getAttributes().getType();
            if (type == FileMode.Type.DIRECTORY) {
                walk(e, key, "", found);
            } else if (type == FileMode.Type.REGULAR && !entry.getName().endsWith(TEMP_SUFFIX)) {
                found.add(info(key, entry.getAttributes()));
            }
        }
    }

    private static ObjectInfo info(String key, FileAttributes a) {
        return ObjectInfo.of(key, a.getSize(), Instant.ofEpochSecond(a.getMtime()));
    }

    private void checkOpen() {
        session.checkOpen();
    }

    private void checkKey(String key) throws ReplicaException {
        checkOpen();
        ReplicaKey.check(key);
        if (key.endsWith(TEMP_SUFFIX)) {
            throw SftpErrors.of(ReplicaFailure.INVALID, destination, "bad key", key, "names ending in '" + TEMP_SUFFIX
                    + "' are reserved for temp files");
        }
    }
}
