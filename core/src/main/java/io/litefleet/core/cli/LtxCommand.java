package io.litefleet.core.cli;

import io.litefleet.core.ltx.Checksums;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.ltx.LtxVerification;
import io.litefleet.core.ltx.LtxVerifier;
import io.litefleet.core.plugin.PluginRegistry;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaListing;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.ReplicaSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code litefleet ltx [-level N|all] [-json] <replica-url>} and {@code litefleet ltx -config FILE <db-path>} list a
 * replica's LTX files as upstream's {@code litestream ltx} does; {@code litefleet ltx <file.ltx>} prints one local LTX
 * file's header and verifies its checksums (exit 1 if invalid).
 */
@Command(name = "ltx", description = "List a replica's LTX files (a replica URL, or a database path with -config), "
        + "or print one local LTX file's header and verify its checksums (exit 1 if invalid).")
final class LtxCommand implements Callable<Integer> {
    /** ltx's RFC3339Milli: fixed-width milliseconds, UTC. */
    private static final DateTimeFormatter RFC3339_MILLI =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
    private static final byte[] LTX_MAGIC = "LTX1".getBytes(StandardCharsets.US_ASCII);

    @Spec
    CommandSpec spec;

    @Option(names = {"-config", "--config"}, paramLabel = "FILE",
            description = "Configuration file, to list a configured database's replica by the database's path.")
    Path config;

    @Option(names = {"-level", "--level"}, paramLabel = "LEVEL", defaultValue = "0",
            description = "Compaction level to list: 0-9 or all (default: ${DEFAULT-VALUE}).")
    String level;

    @Option(names = {"-json", "--json"}, description = "Print the listing as JSON.")
    boolean json;

    @Option(names = {"-replica", "--replica"}, paramLabel = "NAME",
            description = "With -config, the database's replica (destination) to list, by its name.")
    String replicaName;

    @Option(names = {"-no-expand-env", "--no-expand-env"}, description = "Read the configuration without "
            + "expanding $VARIABLES.")
    boolean noExpandEnv;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = PluginsDir.DESCRIPTION)
    Path pluginsDir;

    @Parameters(index = "0", paramLabel = "<replica-url | db-path | file.ltx>",
            description = "A replica URL, a configured database path (with -config), or a local LTX file.")
    String target;

    @Override
    public Integer call() throws IOException {
        int[] levels = levels();
        ReplicaSource source;
        if (ReplicaSource.isUrl(target)) {
            if (config != null) {
                throw new UserException("cannot specify a replica URL and the -config flag");
            }
            source = ReplicaSource.url(target);
        } else if (config != null || (!isLtxFile(Path.of(target)) && defaultConfig().isPresent())) {
            // A database path: its replica from -config, else from upstream's default config file.
            Path file = config != null ? config : defaultConfig().orElseThrow();
            source = ConfigReplicaSource.find(new ConfigFile(file, !noExpandEnv), Path.of(target),
                    Optional.ofNullable(replicaName));
        } else {
            return inspect(Path.of(target));
        }
        try (PluginRegistry registry = PluginRegistry.open(PluginsDir.resolve(pluginsDir));
                ReplicaSource.Opened opened = source.open(registry)) {
            List<LtxFileRef> files = ReplicaListing.list(opened.target(), RetryPolicy.DEFAULT).stream()
                    .filter(f -> Arrays.stream(levels).anyMatch(l -> l == f.level())).toList();
            PrintWriter out = spec.commandLine().getOut();
            LtxListing.print(out, files, json);
            out.flush();
        }
        return 0;
    }

    private static Optional<Path> defaultConfig() {
        return ConfigPaths.defaultConfig(System::getenv);
    }

    /** The levels {@code -level} names, checked as upstream checks them. */
    private int[] levels() {
        if (level.equals("all")) {
            return new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        }
        int n;
        try {
            n = Integer.parseInt(level);
        } catch (NumberFormatException e) {
            throw new UserException("invalid value \"" + level + "\" for flag -level: invalid level: must be 0-"
                    + LtxFileRef.SNAPSHOT_LEVEL + " or \"all\"");
        }
        if (n < 0 || n > LtxFileRef.SNAPSHOT_LEVEL) {
            throw new UserException("invalid value \"" + level + "\" for flag -level: level must be between 0 and "
                    + LtxFileRef.SNAPSHOT_LEVEL);
        }
        return new int[] {n};
    }

    /** A local LTX file: its header and checksums. Anything else without -config is explained. */
    private int inspect(Path file) {
        if (!isLtxFile(file)) {
            throw new UserException("'" + target + "' is neither a replica URL (such as s3://bucket/db) nor an LTX "
                    + "file; to list a configured database's LTX files by its path, add -config <file>");
        }
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

    /**
     * Whether {@code file} is to be inspected as an LTX file: it starts with the LTX magic, or it does not exist or
     * cannot be read (then the verifier names the problem), or it is named {@code *.ltx}.
     */
    private static boolean isLtxFile(Path file) {
        if (file.getFileName() != null && file.getFileName().toString().endsWith(".ltx")) {
            return true;
        }
        if (!Files.isRegularFile(file)) {
            return !Files.exists(file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(LTX_MAGIC.length), LTX_MAGIC);
        } catch (IOException e) {
            return true;
        }
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
