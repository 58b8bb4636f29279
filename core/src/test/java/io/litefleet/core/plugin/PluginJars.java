package io.litefleet.core.plugin;

import io.litefleet.api.replica.ReplicaClientProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Builds plugin jars at test time: compiles sources with the JDK's javac and packs classes plus resources. */
final class PluginJars {
    private PluginJars() {
    }

    /** Where {@code io.litefleet.api} is (its classes directory or jar). */
    static Path apiLocation() throws Exception {
        return Path.of(ReplicaClientProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /**
     * Compiles {@code sources} (path → Java source) and writes a jar with the classes and {@code resources}.
     *
     * @param modular compile against the api as a module (the sources include a module-info) or on the class path
     */
    static Path build(Path work, Path jar, boolean modular, Map<String, String> sources, Map<String, String> resources)
            throws Exception {
        ToolProvider javac = ToolProvider.findFirst("javac").orElse(null);
        Assumptions.assumeTrue(javac != null, "javac is not in this runtime; plugin jars cannot be built");
        Path src = Files.createDirectories(work.resolve("src-" + jar.getFileName()));
        Path classes = Files.createDirectories(work.resolve("classes-" + jar.getFileName()));
        List<String> args = new ArrayList<>(List.of("--release", "21", "-d", classes.toString(),
                modular ? "--module-path" : "--class-path", apiLocation().toString()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int rc = javac.run(ps, ps, args.toArray(String[]::new));
        if (rc != 0) {
            throw new AssertionError("javac failed (" + rc + "): " + out.toString(StandardCharsets.UTF_8));
        }
        Files.createDirectories(jar.getParent());
        try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                add(jos, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
            for (Map.Entry<String, String> r : resources.entrySet()) {
                add(jos, r.getKey(), r.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return jar;
    }

    /** A provider class of the given type, in package {@code pkg}. */
    static String replicaProvider(String pkg, String className, String type) {
        return """
                package %s;

                import io.litefleet.api.Settings;
                import io.litefleet.api.replica.ReplicaClient;
                import io.litefleet.api.replica.ReplicaClientProvider;
                import io.litefleet.api.replica.ReplicaLayout;
                import java.net.URI;
                import java.util.Set;

                public final class %s implements ReplicaClientProvider {
                    public String type() { return "%s"; }
                    public Set<String> schemes() { return Set.of("%s"); }
                    public ReplicaLayout layout() { return ReplicaLayout.LTX_DIRS; }
                    public Set<String> keys() { return Set.of("path"); }
                    public UrlTarget parseUrl(URI url) { throw new UnsupportedOperationException(); }
                    public ReplicaClient create(Settings s) { throw new UnsupportedOperationException(); }
                }
                """.formatted(pkg, className, type, type);
    }

    static String services(String... classNames) {
        return String.join("\n", classNames) + "\n";
    }

    static final String SERVICE_FILE = "META-INF/services/" + ReplicaClientProvider.class.getName();

    private static void add(JarOutputStream jos, String name, byte[] bytes) throws IOException {
        jos.putNextEntry(new JarEntry(name));
        OutputStream o = jos;
        o.write(bytes);
        jos.closeEntry();
    }
}
