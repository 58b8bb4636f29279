package io.litefleet.distribution;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows a daemon's log file for the fleet status lines that {@code litefleet replicate --status-interval} writes
 * ({@code ReplicationStatus[known=300, hot=0, ...]}), reading only what was appended since the last call, so polling
 * it often stays cheap however long the log grows. Not thread-safe.
 */
final class LogTail {
    private static final Pattern STATUS = Pattern.compile("ReplicationStatus\\[(.*)]");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\[[^]]*]|[^,]*)");

    private final Path log;
    private long offset;
    private final StringBuilder partial = new StringBuilder();
    private Map<String, String> last = Map.of();
    private int statusLines;

    LogTail(Path log) {
        this.log = log;
    }

    /** The latest status line's fields by name, empty before the first; reads what the log gained meanwhile. */
    Map<String, String> status() {
        readNew();
        return last;
    }

    /** Status lines read so far. */
    int statusLines() {
        readNew();
        return statusLines;
    }

    private void readNew() {
        try {
            if (!Files.exists(log) || Files.size(log) <= offset) {
                return;
            }
            byte[] bytes;
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                f.seek(offset);
                bytes = new byte[(int) (f.length() - offset)];
                f.readFully(bytes);
            }
            offset += bytes.length;
            partial.append(new String(bytes, StandardCharsets.UTF_8));
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                line(partial.substring(0, nl));
                partial.delete(0, nl + 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void line(String line) {
        Matcher m = STATUS.matcher(line);
        if (!m.find()) {
            return;
        }
        Map<String, String> fields = new HashMap<>();
        Matcher f = FIELD.matcher(m.group(1));
        while (f.find()) {
            fields.put(f.group(1), f.group(2).trim());
        }
        last = Map.copyOf(fields);
        statusLines++;
    }
}
