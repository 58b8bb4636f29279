package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Pages as ltx v0.5.0/v0.5.1 wrote them (an LZ4 frame after a page header with flags 0), read from files written by
 * stock litestream v0.5.15 (src/test/resources/ltx/v0.5.15), and what a damaged frame gives.
 */
class LtxOldFramingTest {
    private static final Path DIR = Path.of("src/test/resources/ltx/v0.5.15");

    private static byte[] file(String name) throws IOException {
        return Files.readAllBytes(DIR.resolve(name));
    }

    private static int decodeAll(byte[] bytes) throws IOException {
        LtxDecoder d = LtxDecoder.open(new ByteArrayInputStream(bytes));
        byte[] page = new byte[d.header().pageSize()];
        int n = 0;
        while (d.readPage(page) != 0) {
            n++;
        }
        d.finish();
        assertEquals(n, d.pageIndex().size());
        return n;
    }

    @Test
    void v0515Files_decode_pagesIndexAndChecksumAgree() throws IOException {
        for (String name : new String[] {"0000000000000001-0000000000000001.ltx",
                "0000000000000002-0000000000000002.ltx"}) {
            byte[] bytes = file(name);
            assertEquals(0, bytes[104] | bytes[105], name + " is old framing (flags 0)");
            assertTrue(decodeAll(bytes) > 0, name);
        }
    }

    @Test
    void damagedFrames_failNamingWhatAndWhere() throws IOException {
        byte[] good = file("0000000000000002-0000000000000002.ltx");
        // The LZ4 frame of the first page (page 2) starts right after its 6-byte page header, at offset 106.
        byte[] magic = good.clone();
        magic[106] ^= 0x01;
        assertTrue(error(magic).contains("page 2 at offset 106: not an LZ4 frame"), error(magic));
        byte[] hc = good.clone();
        hc[112] ^= 0x01;
        assertTrue(error(hc).contains("LZ4 frame header checksum"), error(hc));
        byte[] content = good.clone();
        content[120] ^= 0x40;
        String e = error(content);
        assertTrue(e.contains("page 2") && (e.contains("LZ4 content checksum") || e.contains("corrupt LZ4")), e);
        String cut = error(Arrays.copyOf(good, 130));
        assertTrue(cut.startsWith("truncated at offset 130"), cut);
    }

    private static String error(byte[] bytes) {
        return assertThrows(LtxFormatException.class, () -> decodeAll(bytes)).getMessage();
    }
}
