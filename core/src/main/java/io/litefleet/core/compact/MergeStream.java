package io.litefleet.core.compact;

import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxFormatException;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.ltx.LtxTrailer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The merged LTX file produced on demand: each time the reader runs out of bytes, one more page is merged and
 * encoded. No thread, no pipe; memory is one page buffer and one decoder per input plus the frame being served.
 *
 * <p>The merge is a k-way merge over decoders whose pages arrive in ascending page order: the smallest pending page
 * number is taken from the newest input holding it, the others' copies are dropped, and pages beyond the last
 * input's commit are dropped (ltx v0.5.2 {@code Compactor.writePageBuffer}). Finding the smallest is a linear scan
 * over the k heads, which beats a heap for the few dozen inputs a compaction has.
 *
 * <p>When {@code expectedChecksum} is given (the second pass of a two-pass upload), the stream fails before handing
 * out the trailer if the file it built differs from the first pass's, so a changed input can never yield an object
 * whose length or content differs from what was announced. Not thread-safe.
 */
final class MergeStream extends InputStream {
    private final List<LtxSource> sources;
    private final boolean snapshot;
    private final Long expectedChecksum;
    private final long nodeId;
    private final Chunk chunk = new Chunk();
    private final List<InputStream> streams = new ArrayList<>();
    private LtxDecoder[] decoders;
    private byte[][] pages;
    private int[] heads;
    private LtxEncoder encoder;
    private LtxTrailer trailer;
    private int pos;
    private boolean done;
    private boolean closed;

    MergeStream(List<LtxSource> sources, boolean snapshot, Long expectedChecksum, long nodeId) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("at least one input file is required");
        }
        this.sources = List.copyOf(sources);
        this.snapshot = snapshot;
        this.expectedChecksum = expectedChecksum;
        this.nodeId = nodeId;
    }

    /** The output header; opens the inputs if that has not happened yet. */
    LtxHeader header() throws IOException {
        if (encoder == null) {
            start();
        }
        return encoder.header();
    }

    /** The output trailer, once the whole file has been produced. */
    LtxTrailer trailer() {
        if (trailer == null) {
            throw new IllegalStateException("the merged file has not been read to its end");
        }
        return trailer;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("merged LTX stream is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (pos == chunk.size()) {
            if (done) {
                return -1;
            }
            chunk.reset();
            pos = 0;
            advance();
        }
        int n = Math.min(len, chunk.size() - pos);
        System.arraycopy(chunk.buffer(), pos, b, off, n);
        pos += n;
        return n;
    }

    private void advance() throws IOException {
        if (encoder == null) {
            start();
            return;
        }
        int pgno = smallestHead();
        if (pgno != 0) {
            mergePage(pgno);
        } else {
            end();
        }
    }

    private void start() throws IOException {
        int k = sources.size();
        decoders = new LtxDecoder[k];
        pages = new byte[k][];
        heads = new int[k];
        List<LtxHeader> headers = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            InputStream in = sources.get(i).open();
            streams.add(in);
            decoders[i] = LtxDecoder.open(in);
            headers.add(decoders[i].header());
        }
        LtxHeader header = LtxMerger.mergedHeader(headers, nodeId);
        if (snapshot && !header.isSnapshot()) {
            throw new LtxFormatException("a snapshot must be merged from inputs starting at a snapshot (TXID 1), "
                    + "but the first input starts at TXID " + Long.toUnsignedString(header.minTxid()));
        }
        encoder = LtxEncoder.open(chunk, header);
        for (int i = 0; i < k; i++) {
            pages[i] = new byte[header.pageSize()];
            heads[i] = decoders[i].readPage(pages[i]);
        }
    }

    private int smallestHead() {
        int min = 0;
        for (int h : heads) {
            if (h != 0 && (min == 0 || h < min)) {
                min = h;
            }
        }
        return min;
    }

    private void mergePage(int pgno) throws IOException {
        boolean written = false;
        for (int i = heads.length - 1; i >= 0; i--) {
            if (heads[i] != pgno) {
                continue;
            }
            if (!written && pgno <= encoder.header().commit()) {
                writePage(pgno, pages[i]);
            }
            written = true;
            heads[i] = decoders[i].readPage(pages[i]);
        }
    }

    private void writePage(int pgno, byte[] page) throws IOException {
        try {
            encoder.writePage(pgno, page);
        } catch (IllegalArgumentException e) {
            // A snapshot must hold every page 1..commit; the inputs lack one (they do not start from a full state).
            throw new LtxFormatException("merged inputs do not form a valid output: " + e.getMessage(), e);
        }
    }

    private void end() throws IOException {
        for (LtxDecoder d : decoders) {
            d.finish();
        }
        LtxTrailer t;
        try {
            t = encoder.finish();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new LtxFormatException("merged inputs do not form a valid output: " + e.getMessage(), e);
        }
        if (expectedChecksum != null && t.fileChecksum() != expectedChecksum) {
            throw new IOException("input LTX files changed between the two passes of a merge: file checksum "
                    + Long.toHexString(t.fileChecksum()) + " instead of " + Long.toHexString(expectedChecksum));
        }
        trailer = t;
        done = true;
        closeInputs();
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            closeInputs();
        }
    }

    private void closeInputs() throws IOException {
        IOException failure = null;
        for (InputStream in : streams) {
            try {
                in.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        streams.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** The bytes the encoder wrote for the current step, served to the reader before the next step. */
    private static final class Chunk extends ByteArrayOutputStream {
        Chunk() {
            super(1 << 16);
        }

        byte[] buffer() {
            return buf;
        }
    }
}
