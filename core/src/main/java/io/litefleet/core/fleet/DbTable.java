package io.litefleet.core.fleet;

import io.litefleet.api.discovery.FileFingerprint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every known database as a row of primitive columns: a cold database costs a few dozen bytes of heap and no
 * object of its own. Directories are interned (tenants share them); file names live in one byte arena; the
 * fingerprint is kept as a 64-bit hash (only equality matters); a path is found through an open-addressing index
 * of path hashes. Rows are never removed (a deleted database keeps its row, marked). Not thread-safe: owned by the
 * fleet thread.
 */
final class DbTable {
    static final byte COLD = 0;
    static final byte HOT = 1;
    static final byte DELETED = 2;
    static final byte EXCLUDED = 3;

    private final List<String> dirs = new ArrayList<>();
    private final Map<String, Integer> dirIndex = new HashMap<>();
    private int size;
    private int[] dir = new int[16];
    private int[] nameOff = new int[16];
    private byte[] names = new byte[256];
    private int namesUsed;
    private long[] fingerprint = new long[16];
    private long[] pathHash = new long[16];
    private int[] lastChange = new int[16];
    private byte[] state = new byte[16];
    private byte[] changes = new byte[16];
    private byte[] pattern = new byte[16];
    private int[] index = newIndex(32);

    /** Rows. */
    int size() {
        return size;
    }

    /** The row of {@code path}, or -1. */
    int find(Path path) {
        String s = path.toString();
        long h = hash(s);
        int mask = index.length - 1;
        for (int i = (int) h & mask; index[i] >= 0; i = (i + 1) & mask) {
            int id = index[i];
            if (pathHash[id] == h && path(id).toString().equals(s)) {
                return id;
            }
        }
        return -1;
    }

    /** Adds a row (the path must not be present yet); returns its id. */
    int add(Path path, int patternIndex, FileFingerprint fp, int nowSec) {
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
        byte[] name = path.getFileName().toString().getBytes(StandardCharsets.UTF_8);

        if (namesUsed + name.length > names.length) {
            names = Arrays.copyOf(names, Math.max(names.length * 3 / 2, namesUsed + name.length));
        }
        System.arraycopy(name, 0, names, namesUsed, name.length);
        nameOff[id] = namesUsed;
        namesUsed += name.length;
        fingerprint[id] = hash(fp);
        pathHash[id] = hash(path.toString());
        lastChange[id] = nowSec;
        pattern[id] = (byte) patternIndex;
        insertIndex(id);
        return id;
    }

    /** The database's path. */
    Path path(int id) {
        int end = id + 1 < size ? nameOff[id + 1] : namesUsed; // names are appended in row order
        return Path.of(dirs.get(dir[id]), new String(names, nameOff[id], end - nameOff[id], StandardCharsets.UTF_8));
    }

    byte state(int id) {
        return state[id];
    }

    void state(int id, byte s) {
        state[id] = s;
    }

    int pattern(int id) {
        return pattern[id];
    }

    /** Seconds (table clock) of the last change seen. */
    int lastChange(int id) {
        return lastChange[id];
    }

    /** Changes seen since the counter was last reset (saturates at 127). */
    int changes(int id) {
        return changes[id];
    }

    void resetChanges(int id) {
        changes[id] = 0;
    }

    /** Records a fingerprint; returns whether it differs from the one known (and counts a change if so). */
    boolean observe(int id, FileFingerprint fp, int nowSec) {
        long h = hash(fp);
        if (h == fingerprint[id]) {
            return false;
        }
        fingerprint[id] = h;
        lastChange[id] = nowSec;
        if (changes[id] < Byte.MAX_VALUE) {
            changes[id]++;
        }
        return true;
    }

    /** Marks activity without a fingerprint (a sync shipped something). */
    void touch(int id, int nowSec) {
        lastChange[id] = nowSec;
    }

    /** Whether {@code fp} equals the recorded fingerprint. */
    boolean sameFingerprint(int id, FileFingerprint fp) {
        return fingerprint[id] == hash(fp);
    }

    /** Whether the columns hold much more room than rows (worth a {@link #trim()} after a scan). */
    boolean hasSlack() {
        return dir.length > size + size / 8 + 16 || names.length > namesUsed + namesUsed / 8 + 256;
    }

    /** Shrinks the columns to their size: a settled fleet keeps no growth slack. */
    void trim() {
        dir = Arrays.copyOf(dir, size);
        nameOff = Arrays.copyOf(nameOff, size);
        names = Arrays.copyOf(names, namesUsed);
        fingerprint = Arrays.copyOf(fingerprint, size);
        pathHash = Arrays.copyOf(pathHash, size);
        lastChange = Arrays.copyOf(lastChange, size);
        state = Arrays.copyOf(state, size);
        changes = Arrays.copyOf(changes, size);
        pattern = Arrays.copyOf(pattern, size);
    }

    /** Directories interned. */
    int directories() {
        return dirs.size();
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

    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
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
        nameOff = Arrays.copyOf(nameOff, cap);
        fingerprint = Arrays.copyOf(fingerprint, cap);
        pathHash = Arrays.copyOf(pathHash, cap);
        lastChange = Arrays.copyOf(lastChange, cap);
        state = Arrays.copyOf(state, cap);
        changes = Arrays.copyOf(changes, cap);
        pattern = Arrays.copyOf(pattern, cap);
    }

    private void insertIndex(int id) {
        if ((long) size * 4 > (long) index.length * 3) {
            int[] old = index;
            index = newIndex(old.length * 2);
            for (int i = 0; i < size - 1; i++) {
                place(i);
            }
        }
        place(id);
    }

    private void place(int id) {
        int mask = index.length - 1;
        int i = (int) pathHash[id] & mask;
        while (index[i] >= 0) {
            i = (i + 1) & mask;
        }
        index[i] = id;
    }

    private static int[] newIndex(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }
}
