package io.litefleet.core.compact;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.LtxFileRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Plays the sync engine for tests: random transactions over a small database, each uploaded as one no-checksum
 * level-0 LTX file (the first one a snapshot), with every state kept so a restore can be checked at any TXID.
 * Growing the database writes every new page, as SQLite does.
 */
final class SimulatedDatabase {
    private final SplittableRandom rnd;
    private final int pageSize;
    private final int maxPages;
    private final List<PageState> states = new ArrayList<>();
    private PageState current = new PageState();

    SimulatedDatabase(SplittableRandom rnd, int pageSize, int maxPages) {
        this.rnd = rnd;
        this.pageSize = pageSize;
        this.maxPages = maxPages;
        states.add(current.copy());
    }

    long txid() {
        return states.size() - 1;
    }

    /** The state right after {@code txid}. */
    PageState stateAt(long txid) {
        return states.get((int) txid);
    }

    /** The next transaction's LTX file, as bytes; {@code files[0]} is its header. */
    byte[] nextTransaction(Instant at) throws IOException {
        long txid = txid() + 1;
        int oldCommit = current.commit();
        int commit = txid == 1 ? 1 + rnd.nextInt(maxPages) : nextCommit(oldCommit);
        Map<Integer, byte[]> changed = new TreeMap<>();
        for (int pgno = oldCommit + 1; pgno <= commit; pgno++) {
            changed.put(pgno, page());
        }
        int n = rnd.nextInt(1 + Math.min(commit, 6));
        for (int i = 0; i < n; i++) {
            changed.put(1 + rnd.nextInt(commit), page());
        }
        if (txid == 1) {
            for (int pgno = 1; pgno <= commit; pgno++) {
                changed.putIfAbsent(pgno, page());
            }
        }
        changed.forEach(current::put);
        current.truncate(commit);
        states.add(current.copy());
        LtxHeader h = LtxHeader.builder().noChecksum(true).pageSize(pageSize).commit(commit).txids(txid, txid)
                .timestamp(at.toEpochMilli()).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, h);
        for (var e : changed.entrySet()) {
            if (e.getKey() <= commit) {
                enc.writePage(e.getKey(), e.getValue());
            }
        }
        enc.finish();
        return out.toByteArray();
    }

    /** Commits one transaction and uploads it to level 0 of {@code target}, as the engine does. */
    LtxFileRef commitAndUpload(ReplicaTarget target, Instant at) throws IOException {
        byte[] file = nextTransaction(at);
        long txid = txid();
        upload(target, txid, file, at);
        return new LtxFileRef(0, txid, txid, Instant.ofEpochMilli(at.toEpochMilli()), file.length);
    }

    static void upload(ReplicaTarget target, long txid, byte[] file, Instant at) throws ReplicaException {
        target.client().put(target.key(0, txid, txid), ObjectBody.of(file), PutOptions.DEFAULT.withTimestamp(at));
    }

    private int nextCommit(int old) {
        int r = rnd.nextInt(10);
        if (r == 0) {
            return Math.max(1, old - 1 - rnd.nextInt(Math.max(1, old / 2)));
        }
        if (r == 1) {
            return Math.min(maxPages, old + 1 + rnd.nextInt(3));
        }
        return old;
    }

    private byte[] page() {
        byte[] b = new byte[pageSize];
        // Half-random pages: realistic LZ4 ratios without costing much.
        for (int i = 0; i < pageSize / 2; i += 8) {
            long v = rnd.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return b;
    }
}
