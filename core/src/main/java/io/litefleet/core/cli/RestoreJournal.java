package io.litefleet.core.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * The record a bulk restore keeps in its output directory ({@value #FILE_NAME}) so that a second run skips what the
 * first finished. One line per restored database, appended and forced to disk after the database was installed
 * and passed its integrity check: {@code done <TAB> target <TAB> txid <TAB> sha256 <TAB> path}. A database counts
 * as done only when its line names the same target (latest, or the same {@code -timestamp}) and the file at its
 * output still has the recorded SHA-256; anything else (no line, a torn last line, a changed or missing file) is
 * restored again. Thread-safe; the owner closes it.
 */
final class RestoreJournal implements AutoCloseable {
    /** The journal's file name in the output directory. */
    static final String FILE_NAME = ".litefleet-restore.journal";

    /**
     * What was recorded for one database.
     *
     * @param target the restore target ({@code latest} or an RFC 3339 time)
     * @param txid   the TXID restored
     * @param sha256 the restored file's SHA-256, hex
     */
    record Entry(String target, long txid, String sha256) {
        Entry {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    private final Path file;
    private final Map<String, Entry> entries;
    private final FileChannel channel;

    private RestoreJournal(Path file, Map<String, Entry> entries, FileChannel channel) {
        this.file = file;
        this.entries = entries;
        this.channel = channel;
    }

    /** Whether {@code dir} holds a journal: a directory an earlier bulk restore wrote into. */
    static boolean existsIn(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /** Opens (creating the directory and file if needed) the journal of {@code dir} and reads what it records. */
    static RestoreJournal open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        Map<String, Entry> entries = read(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new RestoreJournal(file, entries, ch);
    }

    /** The database paths the journal of {@code dir} records as done (empty without a journal). */
    static java.util.Set<String> recorded(Path dir) throws IOException {
        return read(dir.resolve(FILE_NAME)).keySet();
    }

    /** The last complete line for each database path. */
    private static Map<String, Entry> read(Path file) throws IOException {
        Map<String, Entry> out = new HashMap<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        int end = text.lastIndexOf('\n'); // a line without its newline was torn by a crash: ignored
        for (String line : text.substring(0, end + 1).split("\n")) {
            String[] f = line.split("\t", 5);
            if (f.length == 5 && f[0].equals("done") && f[3].matches("[0-9a-f]{64}")) {
                try {
                    out.put(f[4], new Entry(f[1], Long.parseUnsignedLong(f[2], 16), f[3]));
                } catch (NumberFormatException e) {
                    // a damaged line: that database is restored again
                }
            }
        }
        return out;
    }

    /** The journal file. */
    Path file() {
        return file;
    }

    /**
     * Whether {@code db} was restored to {@code output} for {@code target} and the file there is still what was
     * recorded (its SHA-256 is read again).
     */
    boolean isDone(Path db, String target, Path output) throws IOException {
        Entry e = entries.get(db.toString());
        return e != null && e.target().equals(target) && Files.isRegularFile(output)
                && e.sha256().equals(sha256(output));
    }

    /** The recorded entry for {@code db}, if any. */
    java.util.Optional<Entry> entry(Path db) {
        return java.util.Optional.ofNullable(entries.get(db.toString()));
    }

    /** Records {@code db} as done, durably, before returning. */
    synchronized void record(Path db, Entry entry) throws IOException {
        String path = db.toString();
        if (path.indexOf('\n') >= 0 || path.indexOf('\t') >= 0) {
            return; // cannot be written as one line; such a database is simply restored again next time
        }
        String line = "done\t" + entry.target() + "\t" + String.format("%016x", entry.txid()) + "\t"
                + entry.sha256() + "\t" + path + "\n";
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
        channel.force(false);
        entries.put(path, entry);
    }

    /** The SHA-256 of a file, hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
