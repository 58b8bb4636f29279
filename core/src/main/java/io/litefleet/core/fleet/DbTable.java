package io.litefleet.core.fleet;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.core.util.PackedHashIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every known database as a row of primitive columns: a cold database costs a few dozen bytes of heap and no
 * object of its own. Directories are interned (tenants share them); file names live in one byte arena, in row
 * order, with a one-byte length per row and an offset per block of rows, and a common suffix ({@code .db},
 * {@code .sqlite}, {@code .sqlite3}) kept as a 2-bit code beside the state; the fingerprint is kept as a 64-bit
 * hash (only equality matters); a path is found through a {@link PackedHashIndex} of 32-bit path hashes (8 bytes
 * a row), so no key is stored twice. Rows are never removed (a deleted database keeps its row, marked). Not
 * thread-safe: owned by the fleet thread.
 */
final class DbTable {
    private static final RowState[] STATES = RowState.values();
    /**
     * A row's state cell: the {@link RowState} in bits 0-3, the busy bit (a worker holds the row) in bit 4, the file
     * name's suffix code in bits 5-6, and in bit 7 whether a change wants the row promoted once it is free.
     */
    private static final int STATE_MASK = 0xf;
    private static final int BUSY = 0x10;
    private static final int SUFFIX_SHIFT = 5;
    private static final int PROMOTE_WHEN_FREE = 0x80;
    /** Common database-file suffixes, stored as a code (index); longer ones later so they win. */
    private static final String[] SUFFIX_TEXT = {"", ".db", ".sqlite", ".sqlite3"};
    private static final byte[][] SUFFIXES = {new byte[0], ".db".getBytes(StandardCharsets.US_ASCII),
        ".sqlite".getBytes(StandardCharsets.US_ASCII), ".sqlite3".getBytes(StandardCharsets.US_ASCII)};
    /** Rows per name-offset block: a path costs at most this many length additions. */
    private static final int BLOCK_SHIFT = 6;

    private final List<String> dirs = new ArrayList<>();
    private final Map<String, Integer> dirIndex = new HashMap<>();
    private int size;
    private int[] dir = new int[16];
    private byte[] nameLen = new byte[16];
    private int[] blockOff = new int[1];
    private byte[] names = new byte[256];
    private int namesUsed;
    private long[] fingerprint = new long[16];
    private byte[] state = new byte[16];
    private byte[] changes = new byte[16];
    private byte[] pattern = new byte[16];
    /**
     * Each row's fencing token in cluster mode (0: not owned now), 8 bytes a row; null until the first token is set,
     * so single-node mode never allocates it.
     */
    private long[] token;
    /** Rows whose {@link #token} is not 0. */
    private int owned;
    private final PackedHashIndex index = new PackedHashIndex();
    /** Rows per state, kept as states change: the status needs no pass over the table. */
    private final int[] counts = new int[STATES.length];
    /** Rows whose cold replica has levels behind (a settle pass is due). One bit a row. */
    private final java.util.BitSet unsettled = new java.util.BitSet();
    /** Rows a change wants another transient pass for once the worker holding them lets go. One bit a row. */
    private final java.util.BitSet passAgain = new java.util.BitSet();

    /** Rows. */
    int size() {
        return size;
    }

    /** The row of {@code path}, or -1. */
    int find(Path path) {
        Path parent = path.getParent();
        Integer d = dirIndex.get(parent == null ? "/" : parent.toString());
        Path file = path.getFileName();
        if (d == null || file == null) {
            return -1;
        }
        byte[] full = file.toString().getBytes(StandardCharsets.UTF_8);
        int code = suffixCode(full);
        int n = full.length - SUFFIXES[code].length;
        int di = d;
        return index.find(hash(di, full, n, code),
                id -> dir[id] == di && suffixOf(id) == code && nameEquals(id, full, n));
    }

    /** Adds a row (the path must not be present yet); returns its id. */
    int add(Path path, int patternIndex, FileFingerprint fp) {
        byte[] name = path.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        int code = suffixCode(name);
        int n = name.length - SUFFIXES[code].length; // the common suffix is a 2-bit code, not 3 to 8 bytes
        if (name.length == 0 || n > 255) {
            throw new IllegalArgumentException("file name of " + path + " has " + name.length + " bytes (1..255)");
        }
        ensure(size + 1);
        int id = size++;
        Path parent = path.getParent();
        String d = parent == null ? "/" : parent.toString();
        Integer di = dirIndex.get(d);
        if (di == null) {
            di = dirs.size();
            dirs.add(d);
            dirIndex.put(d, di);
        }
        dir[id] = di;
        if (namesUsed + n > names.length) {
            names = Arrays.copyOf(names, Math.max(names.length * 3 / 2, namesUsed + n));
        }
        if ((id & ((1 << BLOCK_SHIFT) - 1)) == 0) {
            int block = id >>> BLOCK_SHIFT;
            if (block >= blockOff.length) {
                blockOff = Arrays.copyOf(blockOff, Math.max(block + 1, blockOff.length * 3 / 2));
            }
            blockOff[block] = namesUsed;
        }
        System.arraycopy(name, 0, names, namesUsed, n);
        nameLen[id] = (byte) n;
        namesUsed += n;
        fingerprint[id] = hash(fp);
        pattern[id] = (byte) patternIndex;
        state[id] = (byte) (code << SUFFIX_SHIFT | RowState.COLD.ordinal());
        counts[RowState.COLD.ordinal()]++;
        index.add(id, hash(di, name, n, code));
        return id;
    }

    /** The database's path. */
    Path path(int id) {
        int off = nameOffset(id);
        return Path.of(dirs.get(dir[id]), new String(names, off, len(id), StandardCharsets.UTF_8)
                + SUFFIX_TEXT[suffixOf(id)]);
    }

    RowState state(int id) {
        return STATES[state[id] & STATE_MASK];
    }

    /** Stores a state as it is: {@link Lifecycle#move} is the one caller, after checking the transition. */
    void store(int id, RowState s) {
        counts[state[id] & STATE_MASK]--;
        counts[s.ordinal()]++;
        state[id] = (byte) ((state[id] & ~STATE_MASK) | s.ordinal());
    }

    /** Rows in state {@code s}. */
    int count(RowState s) {
        return counts[s.ordinal()];
    }

    /** Whether a worker holds the row (a pass, a settle or a final sync). */
    boolean busy(int id) {
        return (state[id] & BUSY) != 0;
    }

    void busy(int id, boolean b) {
        state[id] = (byte) (b ? state[id] | BUSY : state[id] & ~BUSY);
    }

    /** Whether a change wants the row promoted as soon as no worker holds it. */
    boolean promoteWhenFree(int id) {
        return (state[id] & PROMOTE_WHEN_FREE) != 0;
    }

    void promoteWhenFree(int id, boolean b) {
        state[id] = (byte) (b ? state[id] | PROMOTE_WHEN_FREE : state[id] & ~PROMOTE_WHEN_FREE);
    }

    /** Whether the row's cold replica is behind (compaction, snapshot or retention due). */
    boolean unsettled(int id) {
        return unsettled.get(id);
    }

    void unsettled(int id, boolean b) {
        unsettled.set(id, b);
    }

    /** How many rows are unsettled. */
    int unsettledCount() {
        return unsettled.cardinality();
    }

    /** The next unsettled row from {@code from}, or -1. */
    int nextUnsettled(int from) {
        return unsettled.nextSetBit(from);
    }

    /** Whether a change wants another transient pass once the row is free. */
    boolean passAgain(int id) {
        return passAgain.get(id);
    }

    void passAgain(int id, boolean b) {
        passAgain.set(id, b);
    }

    int pattern(int id) {
        return pattern[id];
    }

    /** The row's fencing token: the claim of its replica locations in cluster mode; 0 when not owned now. */
    long token(int id) {
        return token == null || id >= token.length ? 0 : token[id];
    }

    void token(int id, long t) {
        if (token == null || id >= token.length) {
            if (t == 0) {
                return;
            }
            token = Arrays.copyOf(token == null ? new long[0] : token, Math.max(id + 1, dir.length));
        }
        if ((token[id] == 0) != (t == 0)) {
            owned += t == 0 ? -1 : 1;
        }
        token[id] = t;
    }

    /** Every token void (the session they were claimed in is lost). */
    void clearTokens() {
        if (token != null) {
            Arrays.fill(token, 0);
        }
        owned = 0;
    }

    /** Rows with a token now: owned by this instance in cluster mode (0 without a cluster). */
    int owned() {
        return owned;
    }

    /** Changes seen since the counter was last reset (saturates at 127). */
    int changes(int id) {
        return changes[id];
    }

    void resetChanges(int id) {
        changes[id] = 0;
    }

    /** Records a fingerprint; returns whether it differs from the one known (and counts a change if so). */
    boolean observe(int id, FileFingerprint fp) {
        long h = hash(fp);
        if (h == fingerprint[id]) {
            return false;
        }
        fingerprint[id] = h;
        if (changes[id] < Byte.MAX_VALUE) {
            changes[id]++;
        }
        return true;
    }

    /** Whether {@code fp} equals the recorded fingerprint. */
    boolean sameFingerprint(int id, FileFingerprint fp) {
        return fingerprint[id] == hash(fp);
    }

    /** Whether the columns hold room beyond their rows (a {@link #trim()} after a scan gives it back). */
    boolean hasSlack() {
        return dir.length > size || names.length > namesUsed;
    }

    /** Shrinks the columns to their size: a settled fleet keeps no growth slack. */
    void trim() {
        dir = Arrays.copyOf(dir, size);
        nameLen = Arrays.copyOf(nameLen, size);
        blockOff = Arrays.copyOf(blockOff, (size + (1 << BLOCK_SHIFT) - 1) >>> BLOCK_SHIFT);
        names = Arrays.copyOf(names, namesUsed);
        fingerprint = Arrays.copyOf(fingerprint, size);
        state = Arrays.copyOf(state, size);
        changes = Arrays.copyOf(changes, size);
        pattern = Arrays.copyOf(pattern, size);
        if (token != null) {
            token = Arrays.copyOf(token, size);
        }
    }

    /** Directories interned. */
    int directories() {
        return dirs.size();
    }

    private int len(int id) {
        return nameLen[id] & 0xff;
    }

    private int nameOffset(int id) {
        int off = blockOff[id >>> BLOCK_SHIFT];
        for (int i = id & ~((1 << BLOCK_SHIFT) - 1); i < id; i++) {
            off += len(i);
        }
        return off;
    }

    /** Whether row {@code id}'s stored name equals the first {@code n} bytes of {@code name}. */
    private boolean nameEquals(int id, byte[] name, int n) {
        int off = nameOffset(id);
        return len(id) == n && Arrays.equals(names, off, off + n, name, 0, n);
    }

    private int suffixOf(int id) {
        return (state[id] >> SUFFIX_SHIFT) & 3;
    }

    /** The code of the common suffix {@code name} ends with (0 for none). */
    private static int suffixCode(byte[] name) {
        for (int code = SUFFIXES.length - 1; code > 0; code--) {
            byte[] sfx = SUFFIXES[code];
            if (name.length >= sfx.length
                    && Arrays.equals(name, name.length - sfx.length, name.length, sfx, 0, sfx.length)) {
                return code;
            }
        }
        return 0;
    }

    /** The hash of a stored name: its first {@code n} bytes, its directory and its suffix code. */
    private static int hash(int dirId, byte[] b, int n, int code) {
        int h = 0x811c9dc5 ^ dirId * 0x01000193;
        for (int i = 0; i < n; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        h ^= code * 0x9E3779B9;
        return h ^ (h >>> 15);
    }

    /**
     * The fingerprint's hash. An empty {@code -wal} counts as absent: opening a database (ours included) may create
     * an empty one, which holds no change.
     */
    static long hash(FileFingerprint fp) {
        long h = mix(fp.dbSize() * 0x9E3779B97F4A7C15L ^ fp.dbMtimeNanos());
        h = mix(h ^ fp.walSize() * 0xC2B2AE3D27D4EB4FL);
        h = mix(h ^ (fp.walSize() == 0 ? 0 : fp.walMtimeNanos()));
        return h == 0 ? 1 : h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private void ensure(int n) {
        if (n <= dir.length) {
            return;
        }
        int cap = Math.max(n, dir.length * 3 / 2);
        dir = Arrays.copyOf(dir, cap);
        nameLen = Arrays.copyOf(nameLen, cap);
        fingerprint = Arrays.copyOf(fingerprint, cap);
        state = Arrays.copyOf(state, cap);
        changes = Arrays.copyOf(changes, cap);
        pattern = Arrays.copyOf(pattern, cap);
        if (token != null) {
            token = Arrays.copyOf(token, cap);
        }
    }
}
