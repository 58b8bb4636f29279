package io.litefleet.replica.sftp;

import java.io.IOException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.PacketType;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * An open remote file with the requests sshj's {@link RemoteFile} keeps to itself: pipelined reads, and
 * {@code fsync@openssh.com} on the handle. Not thread-safe; one user at a time.
 */
final class SftpFile extends RemoteFile {
    private static final String FSYNC = "fsync";
    private static final String OPENSSH = "openssh.com";

    private final SFTPEngine engine;

    private SftpFile(SFTPEngine engine, String path, byte[] handle) {
        super(engine, path, handle);
        this.engine = engine;
    }

    /** Opens {@code path} with {@code modes}; the caller closes the file. */
    static SftpFile open(SFTPEngine engine, String path, Set<OpenMode> modes) throws IOException {
        byte[] handle = engine.request(engine.newRequest(PacketType.OPEN)
                        .putString(path, engine.getSubsystem().getRemoteCharset())
                        .putUInt32(OpenMode.toMask(modes)).putFileAttributes(FileAttributes.EMPTY))
                .retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS)
                .ensurePacketTypeIs(PacketType.HANDLE).readBytes();
        return new SftpFile(engine, path, handle);
    }

    /** Sends a read of {@code length} bytes at {@code offset} without waiting for the answer. */
    Promise<Response, SFTPException> sendRead(long offset, int length) throws IOException {
        return asyncRead(offset, length);
    }

    /** How long to wait for one answer. */
    int timeoutMs() {
        return engine.getTimeoutMs();
    }

    /** Sets the modification (and access) time to {@code time}, in whole seconds as SFTP v3 carries it. */
    void setModified(Instant time) throws IOException {
        long seconds = time.getEpochSecond();
        setAttributes(new FileAttributes.Builder().withAtimeMtime(seconds, seconds).build());
    }

    /**
     * Flushes the file to the server's disk with {@code fsync@openssh.com}, where the server offers it (OpenSSH
     * does); a no-op elsewhere.
     *
     * @return whether the server synced the file
     */
    boolean fsync() throws IOException {
        if (!engine.supportsServerExtension(FSYNC, OPENSSH)) {
            return false;
        }
        engine.request(engine.newExtendedRequest(FSYNC + "@" + OPENSSH).putString(handle))
                .retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS).ensureStatusPacketIsOK();
        return true;
    }
}
