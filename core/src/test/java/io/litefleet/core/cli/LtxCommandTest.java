package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LtxCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Subcommands.full();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler(new ErrorHandler());
        return cli.execute(args);
    }

    private Path validFile() throws IOException {
        Path f = dir.resolve("0000000000000001-0000000000000002.ltx");
        LtxHeader h = LtxHeader.builder().pageSize(512).commit(2).txids(1, 2).timestamp(1_700_000_000_123L)
                .wal(32, 1048, 0xcafe, 0xbabe).build();
        try (OutputStream o = Files.newOutputStream(f)) {
            LtxEncoder enc = LtxEncoder.open(o, h);
            enc.writePage(1, new byte[512]);
            enc.writePage(2, new byte[512]);
            enc.finish();
        }
        return f;
    }

    @Test
    void ltx_validFile_printsHeaderAndChecksumOkExit0() throws IOException {
        int code = run("ltx", validFile().toString());
        String text = out.toString();
        assertEquals(0, code, err.toString());
        assertTrue(text.contains("txid:       0000000000000001-0000000000000002"), text);
        assertTrue(text.contains("timestamp:  2023-11-14T22:13:20.123Z (1700000000123)"), text);
        assertTrue(text.contains("wal:        offset=32 size=1048 salt=0000cafe 0000babe"), text);
        assertTrue(text.contains("pages:      2"), text);
        assertTrue(text.contains("checksum: ok"), text);
    }

    @Test
    void ltx_corruptBody_printsMismatchExit1() throws IOException {
        Path f = validFile();
        byte[] b = Files.readAllBytes(f);
        b[b.length - 3] ^= 1;
        Files.write(f, b);
        assertEquals(1, run("ltx", f.toString()));
        assertTrue(out.toString().contains("checksum: MISMATCH file checksum mismatch: trailer says "), out.toString());
        assertTrue(err.toString().contains(f.toString()), err.toString());
    }

    @Test
    void ltx_notAnLtxFile_oneLineErrorNamingFileExit1() throws IOException {
        Path f = Files.writeString(dir.resolve("junk.ltx"), "hello, this is not an LTX file at all".repeat(4));
        assertEquals(1, run("ltx", f.toString()));
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("litefleet: " + f + ": bad magic"), e);
        assertFalse(e.contains("Exception"), e);
    }

    @Test
    void ltx_missingFile_oneLineErrorExit1() {
        Path f = dir.resolve("nope.ltx");
        assertEquals(1, run("ltx", f.toString()));
        assertEquals("litefleet: " + f + ": no such file", err.toString().strip());
    }
}
