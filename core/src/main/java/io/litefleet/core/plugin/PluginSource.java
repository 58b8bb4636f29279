package io.litefleet.core.plugin;

import io.litefleet.api.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Finds providers of the {@link PluginKind}s in one place: the application's own layer and class path, or one
 * drop-in plugin directory ({@code plugins/<name>/} holding the plugin jar and its own dependencies).
 *
 * <p>A plugin directory is first tried as a child {@link ModuleLayer} (isolated dependencies, module
 * encapsulation). When its jars cannot form one (split packages, as google-cloud-storage always has, or a plugin
 * module that needs modules the application does not have), it falls back to an isolated {@link URLClassLoader}
 * reading {@code META-INF/services}. Either way only providers defined by that directory are returned; the
 * parent's providers, which {@link ServiceLoader} also sees, are filtered out so nothing is counted twice.
 */
final class PluginSource {

    /**
     * What one source yielded.
     *
     * @param candidates providers found, not yet checked for duplicate keys
     * @param resources  class loaders to close with the registry
     * @param notes      how the source was loaded, for {@code litefleet plugins}
     */
    record Loaded(List<Candidate> candidates, List<AutoCloseable> resources, List<String> notes) {
        Loaded {
            candidates = List.copyOf(candidates);
            resources = List.copyOf(resources);
            notes = List.copyOf(notes);
        }
    }

    private PluginSource() {
    }

    /** Providers visible to {@code loader}: named modules of the application's layer and its class path. */
    static Loaded application(ClassLoader loader) {
        List<Candidate> found = new ArrayList<>();
        for (PluginKind kind : PluginKind.values()) {
            found.addAll(load(kind, ServiceLoader.load(kind.spi(), loader), c -> true, PluginSource::applicationOrigin,
                    "the application"));
        }
        return new Loaded(found, List.of(), List.of());
    }

    /**
     * Providers defined by the jars directly inside {@code dir}.
     *
     * @param parentLayer the layer plugin modules resolve against (the one holding {@code io.litefleet.api})
     * @param parentLoader the loader that sees {@code io.litefleet.api}
     */
    static Loaded directory(Path dir, ModuleLayer parentLayer, ClassLoader parentLoader) {
        List<Path> jars = jars(dir);
        if (jars.isEmpty()) {
            return new Loaded(List.of(), List.of(), List.of(dir + ": no jars, nothing loaded"));
        }
        RuntimeException layerFailure;
        try {
            return asModuleLayer(dir, parentLayer, parentLoader);
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            layerFailure = e;
        }
        Loaded loaded = asClassLoader(dir, jars, parentLoader);
        List<String> notes = new ArrayList<>(loaded.notes());
        notes.add(0, dir + ": not a module layer (" + oneLine(layerFailure) + "); loaded through a class loader");
        return new Loaded(loaded.candidates(), loaded.resources(), notes);
    }

    private static Loaded asModuleLayer(Path dir, ModuleLayer parentLayer, ClassLoader parentLoader) {
        ModuleFinder finder = ModuleFinder.of(dir);
        Set<String> roots = finder.findAll().stream().map(ModuleReference::descriptor)
                .map(java.lang.module.ModuleDescriptor::name).collect(Collectors.toSet());
        Configuration cf = parentLayer.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
        ModuleLayer layer = parentLayer.defineModulesWithOneLoader(cf, parentLoader);
        List<Candidate> found = new ArrayList<>();
        for (PluginKind kind : PluginKind.values()) {
            found.addAll(load(kind, ServiceLoader.load(layer, kind.spi()), c -> c.getModule().getLayer() == layer,
                    c -> "module " + c.getModule().getName() + " in " + dir + " (module layer)", dir.toString()));
        }
        return new Loaded(found, List.of(), List.of(dir + ": module layer of " + String.join(", ", roots.stream()
                .sorted().toList())));
    }

    private static Loaded asClassLoader(Path dir, List<Path> jars, ClassLoader parentLoader) {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }
        URLClassLoader cl = new URLClassLoader("litefleet-plugin-" + dir.getFileName(), urls, parentLoader);
        try {
            List<Candidate> found = new ArrayList<>();
            for (PluginKind kind : PluginKind.values()) {
                found.addAll(load(kind, ServiceLoader.load(kind.spi(), cl), c -> c.getClassLoader() == cl,
                        c -> codeSource(c) + " (class loader)", dir.toString()));
            }
            return new Loaded(found, List.of(cl), List.of());
        } catch (RuntimeException e) {
            closeQuietly(cl, e);
            throw e;
        }
    }

    private static List<Candidate> load(PluginKind kind, ServiceLoader<?> loader, Predicate<Class<?>> mine,
                                        java.util.function.Function<Class<?>, String> origin, String where) {
        List<Candidate> found = new ArrayList<>();
        try {
            loader.stream().filter(p -> mine.test(p.type())).forEach(p -> {
                Object provider = p.get();
                String from = origin.apply(p.type());
                try {
                    found.add(Candidate.of(kind, provider, from));
                } catch (RuntimeException e) {
                    throw new ConfigException(kind.label() + " provider " + p.type().getName() + " from " + from
                            + " failed to report its type: " + e, e);
                }
            });
        } catch (ServiceConfigurationError e) {
            throw new ConfigException("cannot load " + kind.label() + " plugins from " + where + ": "
                    + oneLine(e), e);
        }
        return found;
    }

    private static String applicationOrigin(Class<?> c) {
        Module m = c.getModule();
        return m.isNamed() ? "module " + m.getName() + " (boot layer)" : codeSource(c) + " (class path)";
    }

    private static String codeSource(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return "unknown location";
        }
        try {
            return Path.of(cs.getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return cs.getLocation().toString();
        }
    }

    /** The jars directly inside {@code dir}, sorted by name. */
    static List<Path> jars(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
            ds.forEach(jars::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugin directory " + dir + ": " + e.getMessage(), e);
        }
        jars.sort(null);
        return jars;
    }

    private static String oneLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static void closeQuietly(AutoCloseable c, Throwable primary) {
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }
}
