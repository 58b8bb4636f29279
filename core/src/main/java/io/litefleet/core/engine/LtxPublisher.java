package io.litefleet.core.engine;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.LtxCreate;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.StaleFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import io.litefleet.core.replica.ReplicaTarget;

/**
 * Encodes one LTX file from a page source and uploads it (to level 0, or the snapshot level for a capture that
 * starts a new restore chain). Files are written with Litestream's
 * {@code NoChecksum} flag, because stock {@code litestream restore} v0.5.16 rejects files that track the rolling
 * checksum; the checksum is kept in Litefleet's own state instead. The header's node id is the target's fencing
 * token (0 without a cluster), which stock restore ignores; with a token the upload is a conditional create
 * ({@link LtxCreate}).
 *
 * <p>Small files are encoded into memory once. Files whose pages exceed {@link #IN_MEMORY_LIMIT} are never held
 * whole: a first pass computes their length and page checksums, and each upload attempt encodes them again
 * straight into the request through a pipe. That is safe because the page source is stable while the caller holds
 * its read transaction (the WAL cannot restart and checkpoints cannot pass our snapshot). No local copy of the
 * database is ever written. Not thread-safe; one per file.
 */
final class LtxPublisher {
    /** Uncompressed page bytes above which a file is streamed instead of buffered. */
    static final long IN_MEMORY_LIMIT = 8L << 20;

    /** Pages of one file, in ascending page-number order; may be replayed. */
    interface PageSource {
        /** Hands every page to {@code sink}; the array is reused between calls. */
        void forEach(PageSink sink) throws IOException;
    }

    /** Receives one page. */
    interface PageSink {
        void page(int pgno, byte[] data) throws IOException;
    }

    private final ReplicaTarget target;
    private final LtxHeader header;
    private final Map<Integer, Long> crcs = new HashMap<>();
    private boolean keepCrcs = true;
    private int level;
    private int pages;

    private LtxPublisher(ReplicaTarget target, LtxHeader header) {
        this.target = target;
        this.header = header;
    }

    /** A file for TXIDs {@code minTxid..txid}. */
    static LtxPublisher of(ReplicaTarget target, int pageSize, int commit, long minTxid, long txid, Instant now,
                           long walOffset, long walSize, int salt1, int salt2) {
        // The header's node id carries the writer's fencing token (0 in single-node mode: the bytes of before), so a
        // stale owner's file can be told from every backend's copy, metadata or not.
        LtxHeader.Builder b = LtxHeader.builder().noChecksum(true).pageSize(pageSize).commit(commit)
                .txids(minTxid, txid).timestamp(now.toEpochMilli()).nodeId(target.fence().token());
        if (walOffset > 0) {
            b.wal(walOffset, walSize, salt1, salt2);
        }
        return new LtxPublisher(target, b.build());
    }

    /** Uploads to {@code level} instead of level 0. */
    LtxPublisher atLevel(int level) {
        this.level = level;
        return this;
    }

    /** Skips {@link #crcs()}: for a capture, whose caller has every page's checksum already. */
    LtxPublisher withoutCrcs() {
        keepCrcs = false;
        return this;
    }

    /** The CRCs of the pages published (empty after {@link #withoutCrcs()}). */
    Map<Integer, Long> crcs() {
        return crcs;
    }

    /** Pages published. */
    int pages() {
        return pages;
    }

    /**
     * Encodes the pages and uploads the file.
     *
     * @param estimatedPages how many pages the source holds at most, to choose memory or streaming
     */
    LtxFileRef publish(PageSource source, long estimatedPages) throws IOException {
        boolean stream = estimatedPages * header.pageSize() > IN_MEMORY_LIMIT;
        Scratch buffer = stream ? null : Scratch.take();
        try {
            return publish(source, stream, buffer);
        } finally {
            if (buffer != null) {
                buffer.giveBack();
            }
        }
    }

    /**
     * Encodes the pages into a byte array the caller owns, for an upload that runs later on another thread
     * ({@link #upload}). Only for files of at most {@link #IN_MEMORY_LIMIT} page bytes.
     */
    byte[] encodeDetached(PageSource source) throws IOException {
        Scratch buffer = Scratch.take();
        try {
            LtxEncoder enc = LtxEncoder.open(buffer, header);
            source.forEach((pgno, data) -> {
                enc.writePage(pgno, data);
                if (keepCrcs) {
                    crcs.put(pgno, Checksums.page(pgno, data));
                }
            });
            enc.finish();
            pages = enc.pageCount();
            return buffer.toByteArray();
        } finally {
            buffer.giveBack();
        }
    }

    /** Uploads what {@link #encodeDetached} encoded. Thread-safe for distinct files; blocks on the network. */
    LtxFileRef upload(byte[] encoded) throws IOException {
        Instant ts = Instant.ofEpochMilli(header.timestamp());
        LtxCreate.put(target, target.key(level, header.minTxid(), header.maxTxid()), ObjectBody.of(encoded),
                PutOptions.DEFAULT.withTimestamp(ts), header, StaleFiles.Where.UPLOAD);
        return new LtxFileRef(level, header.minTxid(), header.maxTxid(), ts, encoded.length);
    }

    /** The replica client the file goes to. */
    Object destination() {
        return target.client();
    }

    /** The TXID this file holds (its last). */
    long txid() {
        return header.maxTxid();
    }

    private LtxFileRef publish(PageSource source, boolean stream, Scratch buffer) throws IOException {
        CountingStream counter = new CountingStream(buffer);
        LtxEncoder first = LtxEncoder.open(counter, header);
        source.forEach((pgno, data) -> {
            first.writePage(pgno, data);
            if (keepCrcs) {
                crcs.put(pgno, Checksums.page(pgno, data));
            }
        });
        first.finish();
        pages = first.pageCount();
        // The buffer is reused once put returns: a client consumes the body within put (retries included).
        ObjectBody body = stream ? new ReencodedBody(header, source, counter.count) : buffer.body();
        Instant ts = Instant.ofEpochMilli(header.timestamp());
        LtxCreate.put(target, target.key(level, header.minTxid(), header.maxTxid()), body,
                PutOptions.DEFAULT.withTimestamp(ts), header, StaleFiles.Where.UPLOAD);
        return new LtxFileRef(level, header.minTxid(), header.maxTxid(), ts, counter.count);
    }

    /** An upload body that encodes the file again on every open, through a pipe fed by a virtual thread. */
    private record ReencodedBody(LtxHeader header, PageSource source, long length) implements ObjectBody {
        @Override
        public InputStream open() throws IOException {
            PipedInputStream in = new PipedInputStream(256 * 1024);
            PipedOutputStream out = new PipedOutputStream(in);
            Thread.ofVirtual().name("litefleet-ltx-encode").start(() -> {
                try (out) {
                    LtxEncoder enc = LtxEncoder.open(out, header);
                    source.forEach(enc::writePage);
                    enc.finish();
                } catch (IOException e) {
                    // The reader sees a closed pipe with fewer bytes than the length and fails the upload.
                    throw new UncheckedIOException(e);
                }
            });
            return in;
        }
    }

    /**
     * The encode buffer of one sync thread, reused from file to file: the pool's threads are few and fixed, so this
     * is a bounded buffer pool (one per worker). A buffer grown past {@link #KEEP} for a large file is dropped
     * after it, so what stays pooled is at most {@code KEEP} per thread.
     */
    static final class Scratch extends ByteArrayOutputStream {
        static final int KEEP = 1 << 20;
        private static final ThreadLocal<Scratch> POOL = ThreadLocal.withInitial(Scratch::new);
        private boolean taken;

        private Scratch() {
            super(64 * 1024);
        }

        /** This thread's buffer, empty; a fresh one if it is in use (a nested publish). */
        static Scratch take() {
            Scratch s = POOL.get();
            if (s.taken) {
                s = new Scratch();
            }
            s.reset();
            s.taken = true;
            return s;
        }

        void giveBack() {
            taken = false;
            if (buf.length > KEEP) {
                POOL.remove();
            }
        }

        /** The bytes written so far, without a copy; valid until {@link #giveBack()}. */
        ObjectBody body() {
            byte[] b = buf;
            int n = count;
            return new ObjectBody() {
                @Override
                public long length() {
                    return n;
                }

                @Override
                public InputStream open() {
                    return new java.io.ByteArrayInputStream(b, 0, n);
                }
            };
        }
    }

    /** Counts bytes, optionally keeping them. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream keep;
        long count;

        CountingStream(OutputStream keep) {
            this.keep = keep;
        }

        @Override
        public void write(int b) throws IOException {
            count++;
            if (keep != null) {
                keep.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (keep != null) {
                keep.write(b, off, len);
            }
        }
    }
}
