package io.litefleet.core.engine;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.restore.LtxFileRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Encodes one level-0 LTX file page by page into memory and uploads it. Files are written with Litestream's
 * {@code NoChecksum} flag, because stock {@code litestream restore} v0.5.16 rejects files that track the rolling
 * checksum; the checksum is kept in Litefleet's own state instead. Not thread-safe; one per file.
 */
final class LtxPublisher {
    private final ReplicaTarget target;
    private final LtxHeader header;
    private final ByteArrayOutputStream out;
    private final LtxEncoder encoder;
    private final Map<Integer, Long> crcs = new HashMap<>();

    private LtxPublisher(ReplicaTarget target, LtxHeader header, ByteArrayOutputStream out, LtxEncoder encoder) {
        this.target = target;
        this.header = header;
        this.out = out;
        this.encoder = encoder;
    }

    /** Starts an L0 file for {@code txid}. */
    static LtxPublisher start(ReplicaTarget target, int pageSize, int commit, long minTxid, long txid,
                              Instant now, long walOffset, long walSize, int salt1, int salt2) throws IOException {
        LtxHeader.Builder b = LtxHeader.builder().noChecksum(true).pageSize(pageSize).commit(commit)
                .txids(minTxid, txid).timestamp(now.toEpochMilli());
        if (walOffset > 0) {
            b.wal(walOffset, walSize, salt1, salt2);
        }
        LtxHeader header = b.build();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        return new LtxPublisher(target, header, out, LtxEncoder.open(out, header));
    }

    /** Adds a page (ascending page numbers) and remembers its CRC. */
    void page(int pgno, byte[] data) throws IOException {
        encoder.writePage(pgno, data);
        crcs.put(pgno, Checksums.page(pgno, data));
    }

    /** The CRCs of the pages added. */
    Map<Integer, Long> crcs() {
        return crcs;
    }

    /** Pages added. */
    int pages() {
        return encoder.pageCount();
    }

    /** Finishes and uploads the file; returns its reference. */
    LtxFileRef publish() throws IOException {
        encoder.finish();
        byte[] bytes = out.toByteArray();
        Instant ts = Instant.ofEpochMilli(header.timestamp());
        target.client().put(target.key(0, header.minTxid(), header.maxTxid()), ObjectBody.of(bytes),
                PutOptions.DEFAULT.withTimestamp(ts));
        return new LtxFileRef(0, header.minTxid(), header.maxTxid(), ts, bytes.length);
    }
}
