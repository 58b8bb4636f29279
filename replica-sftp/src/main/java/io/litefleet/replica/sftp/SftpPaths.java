package io.litefleet.replica.sftp;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.Response.StatusCode;
import net.schmizz.sshj.sftp.SFTPEngine;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * Remote path steps shared by uploads: temp names, parent directories, and the publishing rename. Stateless.
 *
 * <p><b>Publishing.</b> A conditional create renames with plain {@code SSH_FXP_RENAME}, which SFTP v3
 * (draft-ietf-secsh-filexfer-02, 6.5) defines to fail when the new name exists; OpenSSH implements it with
 * {@code link(2)} + {@code unlink(2)}, one atomic step. An overwrite uses {@code posix-rename@openssh.com}
 * ({@code rename(2)}: the old object is replaced atomically) where the server offers it, and otherwise a rename
 * that, when refused because the name exists, becomes remove-then-rename (not atomic: a reader can find no object
 * in between, never a partial one).
 */
final class SftpPaths {
    private static final String POSIX_RENAME = "posix-rename";
    private static final String OPENSSH = "openssh.com";

    private SftpPaths() {
    }

    /** {@code <dir>/.<name>.<16 hex digits><suffix>}: a sibling of {@code target}, unique, never an LTX name. */
    static String tempName(String target, String suffix) {
        int slash = target.lastIndexOf('/');
        return target.substring(0, slash + 1) + "." + target.substring(slash + 1) + "."
                + String.format("%016x", ThreadLocalRandom.current().nextLong()) + suffix;
    }

    /** The directory holding {@code path}, or empty for a name directly in the login directory (or {@code /}). */
    static Optional<String> parent(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        return slash == 0 ? (path.length() > 1 ? Optional.of("/") : Optional.empty())
                : Optional.of(path.substring(0, slash));
    }

    /** Creates {@code dir} and its missing parents; directories made meanwhile by others are fine. */
    static void makeDirectories(SFTPEngine e, Optional<String> dir) throws IOException {
        if (dir.isEmpty() || dir.get().equals("/")) {
            return;
        }
        try {
            e.makeDir(dir.get());
        } catch (SFTPException x) {
            if (SftpErrors.status(x) == StatusCode.NO_SUCH_FILE) {
                makeDirectories(e, parent(dir.get()));
                makeDirAgain(e, dir.get());
            } else if (!isDirectory(e, dir.get())) {
                throw x;
            }
        }
    }

    /**
     * Renames {@code temp} to {@code target} (see the class comment).
     *
     * @throws io.litefleet.api.replica.ReplicaException {@code PRECONDITION_FAILED} when {@code ifAbsent} and the
     *                                                   target exists
     */
    static void publish(SFTPEngine e, String temp, String target, boolean ifAbsent, String destination, String key)
            throws IOException {
        if (ifAbsent) {
            try {
                e.rename(temp, target, EnumSet.noneOf(net.schmizz.sshj.sftp.RenameFlags.class));
            } catch (SFTPException x) {
                if (SftpErrors.status(x) != StatusCode.UNKNOWN && exists(e, target)) {
                    throw SftpErrors.of(io.litefleet.api.replica.ReplicaFailure.PRECONDITION_FAILED, destination,
                            "put", key, "an object already exists under the key");
                }
                throw x;
            }
        } else if (e.supportsServerExtension(POSIX_RENAME, OPENSSH)) {
            var cs = e.getSubsystem().getRemoteCharset();
            e.request(e.newExtendedRequest(POSIX_RENAME + "@" + OPENSSH).putString(temp, cs).putString(target, cs))
                    .retrieve(e.getTimeoutMs(), TimeUnit.MILLISECONDS).ensureStatusPacketIsOK();
        } else {
            try {
                e.rename(temp, target, EnumSet.noneOf(net.schmizz.sshj.sftp.RenameFlags.class));
            } catch (SFTPException x) {
                if (SftpErrors.status(x) == StatusCode.UNKNOWN || !exists(e, target)) {
                    throw x;
                }
                e.remove(target);
                e.rename(temp, target, EnumSet.noneOf(net.schmizz.sshj.sftp.RenameFlags.class));
            }
        }
    }

    private static void makeDirAgain(SFTPEngine e, String dir) throws IOException {
        try {
            e.makeDir(dir);
        } catch (SFTPException x) {
            if (!isDirectory(e, dir)) {
                throw x;
            }
        }
    }

    private static boolean isDirectory(SFTPEngine e, String path) throws IOException {
        return attributes(e, path, true).map(a -> a.getType() == FileMode.Type.DIRECTORY).orElse(false);
    }

    private static boolean exists(SFTPEngine e, String path) throws IOException {
        return attributes(e, path, false).isPresent();
    }

    private static Optional<FileAttributes> attributes(SFTPEngine e, String path, boolean follow) throws IOException {
        try {
            return Optional.of(follow ? e.stat(path) : e.lstat(path));
        } catch (SFTPException x) {
            if (SftpErrors.status(x) == StatusCode.NO_SUCH_FILE) {
                return Optional.empty();
            }
            throw x;
        }
    }
}
