package io.litefleet.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The embedding facade of Litefleet. Stateless; thread-safe.
 */
public final class Litefleet {
    private static final String VERSION = loadVersion();

    private Litefleet() {
    }

    /** The version of this build, for example {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION;
    }

    private static String loadVersion() {
        try (InputStream in = Litefleet.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
