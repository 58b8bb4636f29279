package io.litefleet.core.file;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Failures of the file backend, as {@link ReplicaFailure} kinds with messages that name the file by its absolute
 * path (not the key, which is relative to the client's root, often {@code /}), so a user can go and look at it.
 */
final class FileErrors {
    private FileErrors() {
    }

    /** Maps a file-system exception during {@code op} on {@code file}. */
    static ReplicaException map(String op, Path file, IOException e) {
        ReplicaFailure kind;
        if (e instanceof NoSuchFileException) {
            kind = ReplicaFailure.NOT_FOUND;
        } else if (e instanceof AccessDeniedException) {
            kind = ReplicaFailure.AUTH;
        } else if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            kind = ReplicaFailure.INVALID; // a file where a directory must be, or the other way round
        } else {
            kind = ReplicaFailure.IO; // includes ENOSPC ("No space left on device") and EIO: may pass later
        }
        String detail = e instanceof FileSystemException fse
                ? reason(fse) + (file.toString().equals(fse.getFile()) ? "" : " (" + fse.getFile() + ")")
                : String.valueOf(e.getMessage());
        return new ReplicaException(kind, message(op, file, detail), e);
    }

    /** The OS's reason, or for the exceptions that carry none, the wording of its error (strerror). */
    private static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        return switch (e) {
            case NoSuchFileException x -> "No such file or directory";
            case AccessDeniedException x -> "Permission denied";
            case FileAlreadyExistsException x -> "File exists";
            case NotDirectoryException x -> "Not a directory";
            default -> e.getClass().getSimpleName();
        };
    }

    /** A failure of kind {@code kind} during {@code op} on {@code file}. */
    static ReplicaException of(ReplicaFailure kind, String op, Path file, String problem) {
        return new ReplicaException(kind, message(op, file, problem));
    }

    private static String message(String op, Path file, String problem) {
        return op + " '" + file + "': " + problem;
    }
}
