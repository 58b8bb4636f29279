package io.litefleet.core.ltx;

import java.io.ByteArrayOutputStream;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * The page index of one file as parallel primitive arrays (16 bytes per page), filled in ascending page order.
 * Encodes itself as ltx does: per page the unsigned LEB128 varints (Go {@code binary.AppendUvarint}) of page
 * number, frame offset and frame size, then a varint 0, then the byte length of all that as a big-endian uint64.
 */
final class PageIndexBuffer {
    private int[] pgnos = new int[64];
    private long[] offsets = new long[64];
    private int[] sizes = new int[64];
    private int count;

    void add(int pgno, long offset, int size) {
        if (count == pgnos.length) {
            int n = count * 2;
            pgnos = Arrays.copyOf(pgnos, n);
            offsets = Arrays.copyOf(offsets, n);
            sizes = Arrays.copyOf(sizes, n);
        }
        pgnos[count] = pgno;
        offsets[count] = offset;
        sizes[count] = size;
        count++;
    }

    int size() {
        return count;
    }

    int pgno(int i) {
        return pgnos[i];
    }

    long offset(int i) {
        return offsets[i];
    }

    int frameSize(int i) {
        return sizes[i];
    }

    /** The encoded index including end marker and length field. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * 8 + 16);
        for (int i = 0; i < count; i++) {
            putUvarint(out, Integer.toUnsignedLong(pgnos[i]));
            putUvarint(out, offsets[i]);
            putUvarint(out, sizes[i]);
        }
        putUvarint(out, 0);
        long len = out.size();
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (len >>> shift));
        }
        return out.toByteArray();
    }

    /** An immutable view as records. */
    List<PageIndexEntry> entries() {
        return new AbstractList<>() {
            @Override
            public PageIndexEntry get(int i) {
                java.util.Objects.checkIndex(i, count);
                return new PageIndexEntry(pgnos[i], offsets[i], sizes[i]);
            }

            @Override
            public int size() {
                return count;
            }
        };
    }

    static void putUvarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }
}
