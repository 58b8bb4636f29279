package io.litefleet.core.plugin;

import io.litefleet.api.replica.ReplicaClientProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What one plugin directory provides, kept beside its jars in {@value #FILE} so a registry knows the directory's
 * keys (and can reject duplicates) without opening its jars. Opening a directory builds a module layer over its
 * jars and verifies signed ones, which costs a short command most of its start time.
 *
 * <p>The index names every jar with its size and modification time: when the jars differ (a plugin replaced, even by
 * one of the same size, or added), the index is stale and the directory is loaded as if it had none. Written by
 * {@code litefleet plugins --write-index}, which the image build runs for the plugins it ships.
 *
 * @param jars      the directory's jars when the index was written, sorted by name
 * @param providers what loading the directory found
 */
record PluginIndex(List<JarStamp> jars, List<Entry> providers) {

    /** The index file's name inside a plugin directory. */
    static final String FILE = "plugin.index";

    private static final String HEADER = "# litefleet plugin index: written by `litefleet plugins --write-index`; "
            + "ignored when the jars below change";

    PluginIndex {
        jars = List.copyOf(jars);
        providers = List.copyOf(providers);
    }

    /**
     * One jar of the directory.
     *
     * @param name  its file name
     * @param size  its length in bytes
     * @param mtime its modification time, in whole seconds since the epoch (what a tarball keeps: the image's
     *              index must still match once its tarball is extracted)
     */
    record JarStamp(String name, long size, long mtime) {
        JarStamp {
            Objects.requireNonNull(name, "name");
        }

        static JarStamp of(Path jar) {
            try {
                return new JarStamp(jar.getFileName().toString(), Files.size(jar),
                        Files.getLastModifiedTime(jar).to(TimeUnit.SECONDS));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read plugin jar " + jar + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * One provider of the directory.
     *
     * @param kind      its SPI
     * @param type      its key
     * @param className its class
     * @param schemes   its URL schemes (replica providers only)
     */
    record Entry(PluginKind kind, String type, String className, List<String> schemes) {
        Entry {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(className, "className");
            schemes = List.copyOf(schemes);
        }
    }

    /** The index of a loaded directory. */
    static PluginIndex of(List<Path> jars, List<Candidate> candidates) {
        List<Entry> entries = candidates.stream().map(c -> new Entry(c.info().kind(), c.info().type(),
                c.info().className(), c.provider() instanceof ReplicaClientProvider p
                        ? p.schemes().stream().sorted().toList() : List.of())).toList();
        return new PluginIndex(jars.stream().map(JarStamp::of).toList(), entries);
    }

    /** Whether {@code jars} (sorted by name) are the ones this index was written for. */
    boolean matches(List<Path> jars) {
        return jars.stream().map(JarStamp::of).toList().equals(this.jars);
    }

    /**
     * Reads {@code dir}'s index.
     *
     * @return empty when there is none
     * @throws IllegalArgumentException naming the file and line when it cannot be parsed
     */
    static Optional<PluginIndex> read(Path dir) {
        Path file = dir.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<JarStamp> jars = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                parse(line.split(" +"), jars, entries);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": cannot parse '" + line + "' ("
                        + e.getMessage() + ")", e);
            }
        }
        return Optional.of(new PluginIndex(jars, entries));
    }

    private static void parse(String[] f, List<JarStamp> jars, List<Entry> entries) {
        switch (f[0]) {
            case "jar" -> {
                require(f.length == 4, "expected: jar NAME SIZE MTIME");
                jars.add(new JarStamp(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
            case "provider" -> {
                require(f.length >= 4, "expected: provider KIND TYPE CLASS [SCHEME...]");
                entries.add(new Entry(PluginKind.valueOf(f[1]), f[2], f[3],
                        Arrays.asList(f).subList(4, f.length)));
            }
            default -> throw new IllegalArgumentException("expected a line starting with jar or provider");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Writes this index into {@code dir}, replacing any (through a temporary file, so readers see all or none). */
    void write(Path dir) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        jars.forEach(j -> sb.append("jar ").append(j.name()).append(' ').append(j.size()).append(' ')
                .append(j.mtime()).append('\n'));
        for (Entry e : providers) {
            sb.append("provider ").append(e.kind().name()).append(' ').append(e.type()).append(' ')
                    .append(e.className());
            e.schemes().forEach(s -> sb.append(' ').append(s));
            sb.append('\n');
        }
        Path file = dir.resolve(FILE);
        try {
            Path tmp = Files.createTempFile(dir, FILE, ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
