package io.litefleet.core.restore;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/** Writes LTX files of a {@link SourceHistory} into a replica, as Litestream would, by hand with {@link LtxEncoder}. */
public final class TestReplica {
    private final SourceHistory history;
    private final ReplicaTarget target;
    private boolean noChecksum = true;
    private boolean withTimestamp = true;

    public TestReplica(SourceHistory history, ReplicaClient client, ReplicaLayout layout, String path) {
        this.history = history;
        this.target = new ReplicaTarget(client, layout, path);
    }

    public ReplicaTarget target() {
        return target;
    }

    /** Track the rolling checksum (pre/post-apply) instead of upstream's no-checksum mode. */
    public TestReplica trackChecksums() {
        noChecksum = false;
        return this;
    }

    /** Upload without the litestream-timestamp metadata, so listings show the upload time. */
    public TestReplica withoutTimestampMetadata() {
        withTimestamp = false;
        return this;
    }

    /** Uploads the file for TXIDs {@code min..max} at {@code level}; returns its key. */
    public String put(int level, long min, long max) throws IOException {
        return put(level, min, max, encode(min, max, null));
    }

    public String put(int level, long min, long max, byte[] file) throws IOException {
        String key = target.key(level, min, max);
        PutOptions o = withTimestamp ? PutOptions.DEFAULT.withTimestamp(SourceHistory.time(max)) : PutOptions.DEFAULT;
        target.client().put(key, ObjectBody.of(file), o);
        return key;
    }

    /** Every level-0 file 1..n. */
    public TestReplica level0(int n) throws IOException {
        for (int t = 1; t <= n; t++) {
            put(0, t, t);
        }
        return this;
    }

    /**
     * The LTX file turning the state at {@code min - 1} into the state at {@code max}: every page that differs
     * (a snapshot when {@code min == 1}). {@code postApplyOverride}, when given, replaces the true post-apply
     * checksum.
     */
    public byte[] encode(long min, long max, Long postApplyOverride) throws IOException {
        int commit = history.pages(max);
        LtxHeader.Builder b = LtxHeader.builder().noChecksum(noChecksum).pageSize(SourceHistory.PAGE_SIZE)
                .commit(commit).txids(min, max).timestamp(SourceHistory.time(max).toEpochMilli());
        if (!noChecksum && min > 1) {
            b.preApplyChecksum(checksum(min - 1));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, b.build());
        for (int pgno = 1; pgno <= commit; pgno++) {
            byte[] now = history.page(max, pgno);
            byte[] before = min == 1 ? null : history.page(min - 1, pgno);
            if (before == null || !Arrays.equals(before, now)) {
                enc.writePage(pgno, now);
            }
        }
        if (noChecksum) {
            enc.finish();
        } else {
            enc.finish(postApplyOverride != null ? postApplyOverride : checksum(max));
        }
        return out.toByteArray();
    }

    private long checksum(long txid) throws IOException {
        return Checksums.database(new ByteArrayInputStream(history.state(txid)), SourceHistory.PAGE_SIZE);
    }
}
