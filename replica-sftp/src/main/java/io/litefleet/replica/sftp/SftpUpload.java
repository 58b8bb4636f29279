package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.EnumSet;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.Response.StatusCode;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * One put (see {@link SftpReplicaClient} for the whole scheme): stream the body into a new temp file beside the key,
 * give it the timestamp as its mtime, sync it, close it, check the put's guard, then publish it under the key
 * ({@link SftpPaths#publish}).
 * A failed attempt removes its temp file, or leaves it to the session to remove after reconnecting. Failures of the
 * body itself are {@link ReplicaFailure#IO} (or {@link ReplicaFailure#INVALID} for a wrong length), never taken for
 * a lost connection. Runs on one thread at a time; the session may run it twice.
 */
final class SftpUpload implements SftpSession.Operation<ObjectInfo> {
    /** Names ending so are temp files: never listed, never accepted as keys. */
    static final String TEMP_SUFFIX = ".tmp";
    /** Bytes per SFTP write request: the size every server accepts (OpenSSH takes up to 256 KiB). */
    private static final int WRITE_CHUNK = 32 * 1024;
    /** Writes of one upload in flight with {@code concurrent-writes} (upstream's default, on). */
    private static final int UNCONFIRMED_WRITES = 16;

    private final SftpSettings settings;
    private final SftpSession session;
    private final String key;
    private final ObjectBody body;
    private final PutOptions options;
    private volatile boolean publishing;

    SftpUpload(SftpSettings settings, SftpSession session, String key, ObjectBody body, PutOptions options) {
        this.settings = settings;
        this.session = session;
        this.key = key;
        this.body = body;
        this.options = options;
    }

    /**
     * Whether the put may run again after its connection died: always, except a conditional create whose rename may
     * have happened (running it again would report our own object as someone else's).
     */
    boolean repeatable() {
        return !(options.ifAbsent() && publishing);
    }

    @Override
    public ObjectInfo run(SftpConnection.Channel ch) throws IOException {
        SFTPEngine e = ch.engine();
        String target = settings.remote(key);
        String temp = SftpPaths.tempName(target, TEMP_SUFFIX);
        publishing = false;
        boolean published = false;
        try {
            Instant modified = write(e, target, temp);
            options.guard().check(); // the commit point: refused, the temp file is removed below
            publishing = true;
            SftpPaths.publish(e, temp, target, options.ifAbsent(), settings.describe(), key);
            published = true;
            return ObjectInfo.of(key, body.length(), modified);
        } finally {
            if (!published) {
                removeTemp(ch, temp);
            }
        }
    }

    /** Writes the temp file, creating missing parent directories; returns its modification time. */
    private Instant write(SFTPEngine e, String target, String temp) throws IOException {
        SftpFile f;
        try {
            f = SftpFile.open(e, temp, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.EXCL));
        } catch (SFTPException x) {
            if (SftpErrors.status(x) != StatusCode.NO_SUCH_FILE) {
                throw x;
            }
            SftpPaths.makeDirectories(e, SftpPaths.parent(target));
            f = SftpFile.open(e, temp, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.EXCL));
        }
        boolean ok = false;
        try {
            copyBody(f);
            Instant modified;
            if (options.timestamp().isPresent()) {
                f.setModified(options.timestamp().get());
                modified = Instant.ofEpochSecond(options.timestamp().get().getEpochSecond());
            } else {
                modified = Instant.ofEpochSecond(f.fetchAttributes().getMtime());
            }
            f.fsync();
            ok = true;
            return modified;
        } finally {
            close(e, f, ok);
        }
    }

    /** Streams exactly {@code body.length()} bytes, {@value #WRITE_CHUNK} per request; more or fewer is INVALID. */
    private void copyBody(SftpFile f) throws IOException {
        long length = body.length();
        long total = 0;
        var out = f.new RemoteFileOutputStream(0, settings.concurrentWrites() ? UNCONFIRMED_WRITES : 0);
        InputStream in = openBody();
        try {
            byte[] buf = new byte[WRITE_CHUNK];
            while (total <= length) {
                int n = readBody(in, buf, (int) Math.min(buf.length, length + 1 - total));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                total += n;
            }
            out.flush();
        } finally {
            closeBody(in);
        }
        if (total != length) {
            throw SftpErrors.of(ReplicaFailure.INVALID, settings.describe(), "put", key, "body yielded "
                    + (total > length ? "more than " + length : total) + " bytes but declared " + length);
        }
    }

    private InputStream openBody() throws ReplicaException {
        try {
            return body.open();
        } catch (IOException x) {
            throw bodyFailure("cannot open the body", x);
        }
    }

    private int readBody(InputStream in, byte[] buf, int len) throws ReplicaException {
        try {
            return in.read(buf, 0, len);
        } catch (IOException x) {
            throw bodyFailure("reading the body failed", x);
        }
    }

    private void closeBody(InputStream in) throws ReplicaException {
        try {
            in.close();
        } catch (IOException x) {
            throw bodyFailure("closing the body failed", x);
        }
    }

    private ReplicaException bodyFailure(String what, IOException x) {
        return new ReplicaException(ReplicaFailure.IO, settings.describe() + ": put " + key + ": " + what + ": "
                + x.getMessage(), x);
    }

    /** Closes the remote handle; after a failure, quietly (that failure is the one to report). */
    private static void close(SFTPEngine e, SftpFile f, boolean ok) throws IOException {
        if (!ok && !e.getSubsystem().isOpen()) {
            return; // the channel is gone, and the handle with it
        }
        try {
            f.close();
        } catch (IOException x) {
            if (ok) {
                throw x;
            }
        }
    }

    private void removeTemp(SftpConnection.Channel ch, String temp) {
        if (!ch.owner().isAlive()) {
            session.orphan(temp);
            return;
        }
        try {
            ch.engine().remove(temp);
        } catch (IOException x) {
            if (SftpErrors.isConnectionLoss(x)) {
                session.orphan(temp);
            }
            // otherwise NO_SUCH_FILE: the temp file was never created
        }
    }
}
