package io.litefleet.api.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes of an object to write. It can be opened more than once, so a client may retry an upload.
 * Implementations must be safe to open from any thread; each stream returned is owned (and closed) by the caller.
 */
public interface ObjectBody {
    /** The exact number of bytes {@link #open()} yields. */
    long length();

    /** A fresh stream over the whole body. */
    InputStream open() throws IOException;

    /** A body over an array, which must not be changed afterwards. */
    static ObjectBody of(byte[] bytes) {
        byte[] data = bytes;
        return new ObjectBody() {
            @Override
            public long length() {
                return data.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(data);
            }
        };
    }

    /** A body over a file, which must not change while the body is in use. */
    static ObjectBody of(Path file) throws IOException {
        long size = Files.size(file);
        return new ObjectBody() {
            @Override
            public long length() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }
}
