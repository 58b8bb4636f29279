package io.litefleet.api.replica;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where Litestream v0.5 keeps LTX files under a database's replica path. Each backend uses the layout upstream
 * uses for it, so stock {@code litestream restore} finds our files and we find theirs.
 */
public enum ReplicaLayout {
    /** S3 and S3-compatible stores: {@code <path>/<level as %04x>/<min %016x>-<max %016x>.ltx}. */
    HEX_LEVEL_DIRS {
        @Override
        public String levelDir(String path, int level) {
            return join(path, String.format(Locale.ROOT, "%04x", level)) + "/";
        }
    },
    /** file, gs, abs and sftp: {@code <path>/ltx/<level as decimal>/<min %016x>-<max %016x>.ltx}. */
    LTX_DIRS {
        @Override
        public String levelDir(String path, int level) {
            return join(path, "ltx/" + level) + "/";
        }
    };

    private static final Pattern FILE_NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.ltx");

    /** The directory prefix, ending in {@code /}, that holds one level's files of the database at {@code path}. */
    public abstract String levelDir(String path, int level);

    /** The key of the LTX file for TXIDs {@code min..max} at {@code level}. */
    public String key(String path, int level, long minTxid, long maxTxid) {
        return levelDir(path, level) + fileName(minTxid, maxTxid);
    }

    /** {@code <min %016x>-<max %016x>.ltx}. */
    public static String fileName(long minTxid, long maxTxid) {
        return String.format(Locale.ROOT, "%016x-%016x.ltx", minTxid, maxTxid);
    }

    /**
     * The TXID range named by a key's last segment, or empty when it is not an LTX file name (temp files and
     * foreign objects are skipped, not errors).
     */
    public static Optional<TxidRange> parseFileName(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        Matcher m = FILE_NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new TxidRange(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)));
    }

    private static String join(String path, String child) {
        String p = path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? child : p + "/" + child;
    }

    /**
     * An inclusive TXID range.
     *
     * @param min first TXID, at least 1
     * @param max last TXID, at least {@code min}
     */
    public record TxidRange(long min, long max) {
        /** Validates the range. */
        public TxidRange {
            if (min < 1 || Long.compareUnsigned(max, min) < 0) {
                throw new IllegalArgumentException("bad TXID range " + min + "-" + max);
            }
        }
    }
}
