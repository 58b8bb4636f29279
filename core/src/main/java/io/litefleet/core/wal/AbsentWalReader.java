package io.litefleet.core.wal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A {@code -wal} that does not exist: it reads as an empty one (no header, no frames). */
final class AbsentWalReader implements WalReader {
    private final Path path;

    AbsentWalReader(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public WalBatch read(WalPosition from, long maxFrames) {
        WalStop stop = from.isInitial() ? new WalStop(WalStop.Kind.END, 0, "no WAL")
                : new WalStop(WalStop.Kind.WAL_SHORTER, from.offset(), "no WAL, shorter than the position's offset "
                        + from.offset());
        return new WalBatch(Optional.empty(), List.of(), from, stop);
    }

    @Override
    public void readPage(WalFrame frame, ByteBuffer destination) throws WalChangedException {
        throw new WalChangedException("no WAL holds " + frame);
    }

    @Override
    public void close() {
        // Nothing open.
    }
}
