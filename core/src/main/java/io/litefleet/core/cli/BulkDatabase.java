package io.litefleet.core.cli;

import io.litefleet.core.config.ReplicaConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One database a bulk restore or {@code verify} works on.
 *
 * @param path    the database's absolute path (where it lived; the file need not exist)
 * @param replica its replica, resolved (no placeholders)
 */
record BulkDatabase(Path path, ReplicaConfig replica) {
    /** Validates. */
    BulkDatabase {
        Objects.requireNonNull(replica, "replica");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
        path = path.normalize();
    }

    /** Where it goes below {@code dir}: the directory followed by the database's absolute path. */
    Path under(Path dir) {
        return dir.resolve(path.getRoot().relativize(path));
    }
}
