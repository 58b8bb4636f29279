package io.litefleet.core.file;

import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Maps file-system exceptions to {@link ReplicaFailure} kinds, with messages naming the destination and key. */
final class FileErrors {
    private FileErrors() {
    }

    static ReplicaException map(String where, String op, String key, IOException e) {
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
        String detail = e instanceof FileSystemException fse && fse.getReason() != null
                ? fse.getReason() + " (" + fse.getFile() + ")" : String.valueOf(e.getMessage());
        return new ReplicaException(kind, where + ": " + op + (key.isEmpty() ? "" : " '" + key + "'") + ": "
                + detail, e);
    }
}
