package io.litefleet.replica.sftp;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.sftp.Response.StatusCode;
import net.schmizz.sshj.sftp.SFTPException;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;

/**
 * Turns sshj's exceptions into {@link ReplicaException}s of the right {@link ReplicaFailure}, with messages that name
 * the destination and key and never a secret (sshj's own messages carry none: they name status codes, hosts and
 * algorithms). Stateless.
 */
final class SftpErrors {
    private SftpErrors() {
    }

    /**
     * Whether {@code e} means the connection (or its SFTP channel) is gone rather than that the server answered a
     * request with an error status: then the connection must be discarded and the next call reconnects.
     */
    static boolean isConnectionLoss(IOException e) {
        if (e instanceof ReplicaException) {
            return false;
        }
        if (e instanceof SFTPException s) {
            StatusCode code = s.getStatusCode();
            return code == StatusCode.UNKNOWN || code == StatusCode.NO_CONNECTION
                    || code == StatusCode.CONNECITON_LOST;
        }
        return true;
    }

    /** The status an SFTP server answered with, or {@link StatusCode#UNKNOWN} for anything else. */
    static StatusCode status(IOException e) {
        return e instanceof SFTPException s ? s.getStatusCode() : StatusCode.UNKNOWN;
    }

    /**
     * Maps a failure of operation {@code op} on {@code key} (empty for connection-wide steps).
     *
     * @param destination the client's {@code sftp://user@host:port[/root]}
     */
    static ReplicaException map(String destination, String op, String key, IOException e) {
        if (e instanceof ReplicaException re) {
            return re;
        }
        return new ReplicaException(kind(e), where(destination, op, key) + describe(e), e);
    }

    /** A failure of the given kind with our own reason. */
    static ReplicaException of(ReplicaFailure kind, String destination, String op, String key, String reason) {
        return new ReplicaException(kind, where(destination, op, key) + reason);
    }

    private static String where(String destination, String op, String key) {
        return destination + ": " + op + (key.isEmpty() ? "" : " " + key) + ": ";
    }

    private static ReplicaFailure kind(IOException e) {
        if (e instanceof UserAuthException) {
            return ReplicaFailure.AUTH;
        }
        if (e instanceof TransportException t && t.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
            return ReplicaFailure.AUTH;
        }
        if (!(e instanceof SFTPException s) || isConnectionLoss(e)) {
            return ReplicaFailure.UNAVAILABLE;
        }
        return switch (s.getStatusCode()) {
            case NO_SUCH_FILE, NO_SUCH_PATH -> ReplicaFailure.NOT_FOUND;
            case PERMISSION_DENIED, WRITE_PROTECT -> ReplicaFailure.AUTH;
            case FILE_ALREADY_EXISTS -> ReplicaFailure.PRECONDITION_FAILED;
            case OP_UNSUPPORTED, BAD_MESSAGE, INVALID_FILENAME, INVALID_PARAMETER -> ReplicaFailure.INVALID;
            default -> ReplicaFailure.IO; // FAILURE covers a full disk on OpenSSH (SFTP v3 has no ENOSPC code)
        };
    }

    private static String describe(IOException e) {
        if (e instanceof UserAuthException) {
            return "the server refused to log in the user (" + e.getMessage() + ")";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "cannot connect: " + e.getMessage();
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out connecting: " + e.getMessage();
        }
        if (e instanceof SFTPException s && s.getStatusCode() == StatusCode.FAILURE) {
            return s.getMessage() + " (SFTP status FAILURE: SFTP v3 servers report a full disk, an exceeded quota or "
                    + "another I/O error so)";
        }
        if (e instanceof SFTPException s && s.getStatusCode() != StatusCode.UNKNOWN) {
            return s.getMessage() + " (SFTP status " + s.getStatusCode() + ")";
        }
        String m = e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && (m == null || !m.contains(c.getMessage()))) {
            m = (m == null ? "" : m + ": ") + c.getMessage();
        }
        return "connection failed or lost (" + e.getClass().getSimpleName() + (m == null ? "" : ": " + m) + ")";
    }
}
