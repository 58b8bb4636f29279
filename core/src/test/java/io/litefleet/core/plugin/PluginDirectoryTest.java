package io.litefleet.core.plugin;

import static io.litefleet.core.plugin.PluginJars.SERVICE_FILE;
import static io.litefleet.core.plugin.PluginJars.replicaProvider;
import static io.litefleet.core.plugin.PluginJars.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.ConfigException;
import io.litefleet.api.Settings;
import io.litefleet.api.cluster.CoordinatorProvider;
import io.litefleet.api.replica.ReplicaClientProvider;
import io.litefleet.core.config.ClusterConfig;
import io.litefleet.core.config.PluginSection;
import io.litefleet.core.file.FileReplicaClientProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads real plugin jars, built in the test, from a plugins directory. */
class PluginDirectoryTest {
    @TempDir
    Path work;

    private Path plugins() {
        return work.resolve("plugins");
    }

    private void modularPlugin(String dirName, String module, String pkg, String type) throws Exception {
        PluginJars.build(work, plugins().resolve(dirName).resolve(dirName + ".jar"), true, Map.of(
                "module-info.java", "module " + module + " { requires io.litefleet.api; provides "
                        + ReplicaClientProvider.class.getName() + " with " + pkg + ".Provider; }",
                pkg.replace('.', '/') + "/Provider.java", replicaProvider(pkg, "Provider", type)),
                Map.of(SERVICE_FILE, services(pkg + ".Provider")));
    }

    @Test
    void modularPlugin_loadsInItsOwnModuleLayer() throws Exception {
        Assumptions.assumeTrue(PluginRegistry.class.getModule().isNamed(),
                "core runs on the class path here; module layers need it on the module path");
        modularPlugin("alpha", "test.plugin.alpha", "test.alpha", "alpha");
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            ReplicaClientProvider alpha = r.replica("alpha", "test");
            Module m = alpha.getClass().getModule();
            assertEquals("test.plugin.alpha", m.getName());
            assertNotSame(ModuleLayer.boot(), m.getLayer());
            PluginInfo info = r.plugins().stream().filter(p -> p.type().equals("alpha")).findFirst().orElseThrow();
            assertEquals("module test.plugin.alpha in " + plugins().resolve("alpha") + " (module layer)", info.origin());
            assertTrue(r.replica("file", "test") instanceof FileReplicaClientProvider, "boot plugins stay");
            assertEquals(1, r.plugins().stream().filter(p -> p.type().equals("file")).count(),
                    "a layer's parent providers are not counted again");
        }
    }

    @Test
    void splitPackagePlugin_fallsBackToAnIsolatedClassLoader() throws Exception {
        Path dir = plugins().resolve("beta");
        PluginJars.build(work, dir.resolve("beta.jar"), false,
                Map.of("test/beta/Provider.java", replicaProvider("test.beta", "Provider", "beta")),
                Map.of(SERVICE_FILE, services("test.beta.Provider")));
        // A second jar with the same package: two automatic modules cannot share it, just as GCS's jars cannot.
        PluginJars.build(work, dir.resolve("beta-extra.jar"), false,
                Map.of("test/beta/Helper.java", "package test.beta; public final class Helper {}"), Map.of());
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            ReplicaClientProvider beta = r.replica("beta", "test");
            assertFalse(beta.getClass().getModule().isNamed());
            assertTrue(beta.getClass().getClassLoader() instanceof java.net.URLClassLoader);
            PluginInfo info = r.plugins().stream().filter(p -> p.type().equals("beta")).findFirst().orElseThrow();
            assertEquals(dir.resolve("beta.jar") + " (class loader)", info.origin());
            assertTrue(r.notes().stream().anyMatch(n -> n.startsWith(dir + ": not a module layer (")
                    && n.endsWith("loaded through a class loader")), r.notes().toString());
        }
    }

    @Test
    void pluginClaimingABuiltInType_isRejectedNamingBoth() throws Exception {
        Path dir = plugins().resolve("evil");
        PluginJars.build(work, dir.resolve("evil.jar"), false,
                Map.of("test/evil/Provider.java", replicaProvider("test.evil", "Provider", "file")),
                Map.of(SERVICE_FILE, services("test.evil.Provider")));
        ConfigException e = assertThrows(ConfigException.class, () -> PluginRegistry.open(Optional.of(plugins())));
        assertTrue(e.getMessage().startsWith("duplicate replica type 'file': provided by "
                + FileReplicaClientProvider.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("test.evil.Provider from module evil in " + dir), e.getMessage());
    }

    @Test
    void brokenServiceFile_isAConfigErrorNamingTheDirectory() throws Exception {
        Path dir = plugins().resolve("broken");
        PluginJars.build(work, dir.resolve("broken.jar"), false,
                Map.of("test/broken/Nothing.java", "package test.broken; public final class Nothing {}"),
                Map.of(SERVICE_FILE, services("test.broken.Missing")));
        ConfigException e = assertThrows(ConfigException.class, () -> PluginRegistry.open(Optional.of(plugins())));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("test.broken.Missing"),
                e.getMessage());
    }

    @Test
    void missingPluginsRootOrEmptyPluginDir_loadsOnlyTheApplication() throws Exception {
        try (PluginRegistry r = PluginRegistry.open(Optional.of(work.resolve("nope")))) {
            assertEquals(r.plugins(), PluginRegistry.open(Optional.empty()).plugins());
        }
        Files.createDirectories(plugins().resolve("empty"));
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            assertTrue(r.notes().contains(plugins().resolve("empty") + ": no jars, nothing loaded"), r.notes().toString());
        }
    }

    /** A class-path plugin whose provider records in a system property that its directory was opened. */
    private Path markedPlugin(String name) throws Exception {
        Path dir = plugins().resolve(name);
        String source = replicaProvider("test." + name, "Provider", name).replace(
                "public final class Provider implements ReplicaClientProvider {",
                "public final class Provider implements ReplicaClientProvider {\n static { System.setProperty(\""
                        + opened(name) + "\", \"yes\"); }");
        PluginJars.build(work, dir.resolve(name + ".jar"), false,
                Map.of("test/" + name + "/Provider.java", source),
                Map.of(SERVICE_FILE, services("test." + name + ".Provider")));
        System.clearProperty(opened(name));
        return dir;
    }

    private static String opened(String name) {
        return "litefleet.test.opened." + name;
    }

    private void writeIndexes() {
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            r.writeIndexes();
        }
    }

    @Test
    void indexedPlugin_isOpenedOnlyWhenItsSchemeIsAskedFor() throws Exception {
        Path dir = markedPlugin("gamma");
        writeIndexes();
        assertTrue(Files.isRegularFile(dir.resolve(PluginIndex.FILE)));
        System.clearProperty(opened("gamma"));
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            assertTrue(r.replicaForScheme("file", "test") instanceof FileReplicaClientProvider);
            assertEquals(null, System.getProperty(opened("gamma")), "a file lookup opened plugins/gamma");
            assertEquals("gamma", r.replicaForScheme("gamma", "test").type());
            assertEquals("yes", System.getProperty(opened("gamma")));
        }
    }

    @Test
    void indexedPlugins_areListedAndNamedInUnknownTypeErrors() throws Exception {
        markedPlugin("gamma");
        markedPlugin("delta");
        writeIndexes();
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            ConfigException e = assertThrows(ConfigException.class, () -> r.replica("nope", "litefleet.yml"));
            assertEquals("unknown replica type 'nope' in litefleet.yml (known: delta, file, gamma)", e.getMessage());
        }
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            assertEquals(java.util.List.of("delta", "file", "gamma"), r.plugins().stream()
                    .filter(p -> p.kind() == PluginKind.REPLICA).map(PluginInfo::type).toList());
        }
    }

    @Test
    void indexedClusterPlugin_isOpenedOnlyForItsType_andItsKeysAreChecked() throws Exception {
        Path dir = plugins().resolve("omega");
        String source = """
                package test.omega;

                import io.litefleet.api.Settings;
                import io.litefleet.api.cluster.Coordinator;
                import io.litefleet.api.cluster.CoordinatorProvider;
                import java.util.Set;

                public final class Provider implements CoordinatorProvider {
                    static { System.setProperty("%s", "yes"); }
                    public String type() { return "omega"; }
                    public Set<String> keys() { return Set.of("endpoints"); }
                    public Coordinator open(Settings s, Context c) { throw new UnsupportedOperationException(); }
                }
                """.formatted(opened("omega"));
        PluginJars.build(work, dir.resolve("omega.jar"), false, Map.of("test/omega/Provider.java", source),
                Map.of("META-INF/services/" + CoordinatorProvider.class.getName(), services("test.omega.Provider")));
        writeIndexes();
        System.clearProperty(opened("omega"));
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            assertEquals("none", r.coordinator("none", "test").type());
            assertEquals(null, System.getProperty(opened("omega")), "a lookup of none opened plugins/omega");
            assertEquals("unknown cluster type 'nope' in litefleet.yml: cluster (line 2) (known: none, omega)",
                    assertThrows(ConfigException.class, () -> r.coordinator("nope", "litefleet.yml: cluster (line 2)"))
                            .getMessage());
            ClusterConfig cluster = new ClusterConfig(new PluginSection("omega", new Settings("litefleet.yml: cluster",
                    Map.of("endpoints", "http://127.0.0.1:2379", "colour", "blue"), Map.of("colour", 4))),
                    Optional.empty());
            assertEquals("litefleet.yml: cluster: unknown key 'colour' (line 4) (known keys: endpoints, instance-id, "
                    + "type)", assertThrows(ConfigException.class, () -> cluster.provider(r)).getMessage());
            assertEquals("yes", System.getProperty(opened("omega")));
        }
    }

    @Test
    void indexClaimingABuiltInType_isRejectedAtOpenWithoutOpeningTheDirectory() throws Exception {
        Path dir = markedPlugin("evil");
        new PluginIndex(PluginSource.jars(dir).stream().map(PluginIndex.JarStamp::of).toList(), java.util.List.of(
                new PluginIndex.Entry(PluginKind.REPLICA, "file", "test.evil.Provider", java.util.List.of("evil"))))
                .write(dir);
        ConfigException e = assertThrows(ConfigException.class, () -> PluginRegistry.open(Optional.of(plugins())));
        assertEquals("duplicate replica type 'file': provided by " + FileReplicaClientProvider.class.getName()
                + " from " + PluginRegistry.open(Optional.empty()).plugins().stream()
                .filter(p -> p.type().equals("file")).findFirst().orElseThrow().origin()
                + " and by test.evil.Provider from " + dir + " (plugin.index, not loaded); remove one of them",
                e.getMessage());
        assertEquals(null, System.getProperty(opened("evil")));
    }

    @Test
    void jarReplacedBySameSizeJar_makesTheIndexStale() throws Exception {
        Path dir = markedPlugin("gamma");
        writeIndexes();
        Path jar = dir.resolve("gamma.jar");
        long size = Files.size(jar);
        // A replacement of the same length (a rebuilt jar): only its modification time tells it apart.
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 3_600_000));
        assertEquals(size, Files.size(jar));
        System.clearProperty(opened("gamma"));
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            assertEquals("yes", System.getProperty(opened("gamma")), "an index of the replaced jar was trusted");
            assertTrue(r.notes().contains(dir + ": plugin.index does not match the jars (rewrite it with litefleet "
                    + "plugins --write-index); loaded at start"), r.notes().toString());
        }
    }

    @Test
    void staleOrUnreadableIndex_opensTheDirectoryAtStartAndSaysWhy() throws Exception {
        Path dir = markedPlugin("gamma");
        writeIndexes();
        PluginJars.build(work, dir.resolve("extra.jar"), false,
                Map.of("test/extra/Helper.java", "package test.extra; public final class Helper {}"), Map.of());
        System.clearProperty(opened("gamma"));
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            assertEquals("yes", System.getProperty(opened("gamma")), "a stale index was trusted");
            assertTrue(r.notes().contains(dir + ": plugin.index does not match the jars (rewrite it with litefleet "
                    + "plugins --write-index); loaded at start"), r.notes().toString());
        }
        Files.delete(dir.resolve("extra.jar"));
        Files.writeString(dir.resolve(PluginIndex.FILE), "jar gamma.jar\n");
        System.clearProperty(opened("gamma"));
        try (PluginRegistry r = PluginRegistry.open(Optional.of(plugins()))) {
            assertEquals("yes", System.getProperty(opened("gamma")), "an unreadable index was trusted");
            assertTrue(r.notes().contains(dir + ": index ignored (" + dir.resolve(PluginIndex.FILE) + " line 1: "
                    + "cannot parse 'jar gamma.jar' (expected: jar NAME SIZE MTIME)); loaded at start"),
                    r.notes().toString());
        }
    }
}
