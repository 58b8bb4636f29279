package io.litefleet.core.cli;

import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.ltx.LtxVerification;
import io.litefleet.core.ltx.LtxVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code litefleet ltx <file>}: prints an LTX file's header and verifies its checksums; exit 1 if invalid. */
@Command(name = "ltx", description = "Print an LTX file's header and verify its checksums (exit 1 if invalid).")
final class LtxCommand implements Callable<Integer> {
    /** ltx's RFC3339Milli: fixed-width milliseconds, UTC. */
    private static final DateTimeFormatter RFC3339_MILLI =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<file>", description = "The LTX file.")
    Path file;

    @Override
    public Integer call() {
        LtxVerification v;
        try {
            v = LtxVerifier.verify(file);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (IOException e) {
            throw new UserException(file + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        printHeader(out, v.header());
        out.printf("pages:      %d%n", v.pageCount());
        if (v.isValid()) {
            out.printf("post-apply: %s%n", Checksums.hex(v.trailer().postApplyChecksum()));
            out.printf("file crc:   %s%n", Checksums.hex(v.trailer().fileChecksum()));
            out.println("checksum: ok");
            return 0;
        }
        out.println("checksum: MISMATCH " + v.problem());
        spec.commandLine().getErr().println("litefleet: " + file + ": invalid LTX file: " + v.problem());
        return 1;
    }

    private static void printHeader(PrintWriter out, LtxHeader h) {
        out.printf("txid:       %016x-%016x%n", h.minTxid(), h.maxTxid());
        out.printf("snapshot:   %s%n", h.isSnapshot());
        out.printf("page size:  %d%n", h.pageSize());
        out.printf("commit:     %d%n", h.commit());
        out.printf("timestamp:  %s (%d)%n", RFC3339_MILLI.format(Instant.ofEpochMilli(h.timestamp())), h.timestamp());
        out.printf("flags:      0x%08x%s%n", h.flags(), h.noChecksum() ? " (no-checksum)" : "");
        out.printf("wal:        offset=%d size=%d salt=%08x %08x%n", h.walOffset(), h.walSize(), h.walSalt1(),
                h.walSalt2());
        out.printf("node id:    %016x%n", h.nodeId());
        out.printf("pre-apply:  %s%n", Checksums.hex(h.preApplyChecksum()));
    }
}
