package io.litefleet.replica.sftp;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.PacketType;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.Response.StatusCode;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * Removes many keys with pipelined {@code SSH_FXP_REMOVE} requests: up to {@code window} in flight, so deleting
 * thousands of files costs thousands of requests but only about {@code n / window} round trips. A key that is
 * absent, or names a directory, is skipped. Not thread-safe; one per delete.
 */
final class SftpRemovals {
    private final SFTPEngine engine;
    private final SftpSettings settings;
    private final int window;
    private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();

    private record Sent(String path, Promise<Response, SFTPException> answer) {
    }

    SftpRemovals(SFTPEngine engine, SftpSettings settings, int window) {
        this.engine = engine;
        this.settings = settings;
        this.window = window;
    }

    /** Removes every key; the first refusal other than "no such file" fails the call after the rest were sent. */
    void removeAll(List<String> keys) throws IOException {
        SFTPException first = null;
        for (String key : keys) {
            if (inFlight.size() >= window) {
                first = settle(inFlight.poll(), first);
            }
            String path = settings.remote(key);
            inFlight.add(new Sent(path, engine.request(engine.newRequest(PacketType.REMOVE)
                    .putString(path, engine.getSubsystem().getRemoteCharset()))));
        }
        while (!inFlight.isEmpty()) {
            first = settle(inFlight.poll(), first);
        }
        if (first != null) {
            throw first;
        }
    }

    private SFTPException settle(Sent sent, SFTPException first) throws IOException {
        Response answer = sent.answer().retrieve(engine.getTimeoutMs(), TimeUnit.MILLISECONDS)
                .ensurePacketTypeIs(PacketType.STATUS);
        StatusCode code = answer.readStatusCode();
        if (code == StatusCode.OK || code == StatusCode.NO_SUCH_FILE || isDirectory(sent.path())) {
            return first;
        }
        return first != null ? first : new SFTPException(code, "cannot remove " + sent.path() + ": "
                + answer.readString());
    }

    private boolean isDirectory(String path) throws IOException {
        try {
            return engine.lstat(path).getType() == FileMode.Type.DIRECTORY;
        } catch (SFTPException e) {
            return false;
        }
    }
}
