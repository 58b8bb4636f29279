package io.litefleet.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Where the pages of a database file are read from: the file itself, or a copy of it read whole under SQLite's
 * shared lock ({@link ColdRead}). Positional reads only.
 */
interface DbFile {
    /** Reads into {@code dst} from {@code position}; -1 at the end of the file. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** The file's size in bytes. */
    long size() throws IOException;

    /** The open file itself. */
    static DbFile of(FileChannel channel) {
        return new DbFile() {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return channel.read(dst, position);
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }
        };
    }
}
