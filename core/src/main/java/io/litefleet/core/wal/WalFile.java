package io.litefleet.core.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Read-only positional access to a {@code -wal} file. Positional reads are safe from several threads. */
final class WalFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;

    private WalFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    static WalFile open(Path path) throws IOException {
        // Only the -wal: SQLite holds no POSIX locks on it, so opening and closing it cannot drop any of ours.
        return new WalFile(path, FileChannel.open(path, StandardOpenOption.READ));
    }

    Path path() {
        return path;
    }

    long size() throws IOException {
        return channel.size();
    }

    /**
     * Fills {@code buffer} from its position to its limit with the bytes at {@code offset}.
     *
     * @return false if the file ended first (the buffer then holds what was there)
     */
    boolean readFully(ByteBuffer buffer, long offset) throws IOException {
        long at = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
