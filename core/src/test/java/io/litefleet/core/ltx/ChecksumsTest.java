package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumsTest {

    @Test
    void crc64_checkString_matchesGoIsoCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xb90956c775a41001L, Checksums.crc64(check, 0, check.length));
    }

    @Test
    void crc64_anySplit_equalsOneShot() {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("crc64_anySplit_equalsOneShot"));
        byte[] data = LtxTestFiles.randomPage(rnd, 4096);
        long whole = Checksums.crc64(data, 0, 4093);
        for (int split = 0; split <= 4093; split += 37) {
            long part = Crc64.update(Crc64.update(0, data, 0, split), data, split, 4093 - split);
            assertEquals(whole, part, "split at " + split);
        }
    }

    @Test
    void page_anyPage_hasFlagAndDependsOnPageNumber() {
        byte[] zero = new byte[512];
        long c1 = Checksums.page(1, zero);
        assertTrue((c1 & Checksums.FLAG) != 0);
        assertNotEquals(c1, Checksums.page(2, zero));
    }

    @Test
    void replace_changedPage_equalsChecksumOfNewDatabase() throws Exception {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("replace_changedPage"));
        byte[][] pages = LtxTestFiles.randomPages(rnd, 1024, 5);
        long before = Checksums.database(new ByteArrayInputStream(concat(pages)), 1024);
        byte[] newPage3 = LtxTestFiles.randomPage(rnd, 1024);
        long updated = Checksums.replace(before, Checksums.page(3, pages[3]), Checksums.page(3, newPage3));
        pages[3] = newPage3;
        assertEquals(Checksums.database(new ByteArrayInputStream(concat(pages)), 1024), updated);
    }

    @Test
    void database_empty_isFlagOnly() throws Exception {
        assertEquals(Checksums.EMPTY_DATABASE, Checksums.database(new ByteArrayInputStream(new byte[0]), 4096));
    }

    static byte[] concat(byte[][] pages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i < pages.length; i++) {
            out.writeBytes(pages[i]);
        }
        return out.toByteArray();
    }
}
