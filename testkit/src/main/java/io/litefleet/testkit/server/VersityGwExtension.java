package io.litefleet.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link VersityGw} per test class, with its buckets made: register it on a static field
 * ({@code @RegisterExtension static final VersityGwExtension S3 = new VersityGwExtension("bucket")}). The server
 * starts before the class's first test and stops after its last, its data in a temporary directory removed then.
 * Where versitygw is not installed the class is skipped (under CI it fails), as {@link VersityGw#start} says.
 */
public final class VersityGwExtension implements BeforeAllCallback, AfterAllCallback {
    private final List<String> buckets;
    private Path dir;
    private VersityGw gw;

    /** A server with these buckets. */
    public VersityGwExtension(String... buckets) {
        this.buckets = List.of(buckets);
    }

    /** The running server; only between the class's first and last test. */
    public VersityGw gw() {
        if (gw == null) {
            throw new IllegalStateException("versitygw is not running: register the extension on a static field");
        }
        return gw;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("litefleet-versitygw-");
        gw = VersityGw.start(dir);
        for (String b : buckets) {
            gw.createBucket(b);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (gw != null) {
                gw.close();
            }
        } finally {
            gw = null;
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw new UncheckedIOException(e);
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
