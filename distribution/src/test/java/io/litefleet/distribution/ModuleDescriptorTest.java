package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module descriptors are the architecture (STYLE.md, "The shape"): this reads each built module's
 * {@code module-info.class} and {@code META-INF/services} from the test class path and fails when either drifts from
 * the shape written down here.
 */
class ModuleDescriptorTest {
    private static final String API = "io.litefleet.api";
    private static final String CORE = "io.litefleet.core";
    private static final String REPLICA = "io.litefleet.api.replica.ReplicaClientProvider";
    private static final String DISCOVERY = "io.litefleet.api.discovery.DiscoveryProvider";
    private static final String TIERING = "io.litefleet.api.tier.TieringPolicyProvider";
    private static final String COORDINATION = "io.litefleet.api.cluster.CoordinatorProvider";

    /**
     * The intended shape of one module.
     *
     * @param artifact directory / artifact suffix, for example {@code replica-s3}
     * @param module   module name, or null for a plugin that must have no descriptor
     * @param exports  exactly these packages, unqualified
     * @param opens    exactly these {@code package to module} openings
     * @param uses     exactly these services
     * @param provides exactly these service → provider classes, also listed in {@code META-INF/services}
     */
    record Shape(String artifact, String module, Set<String> exports, Set<String> opens, Set<String> uses,
                 Map<String, Set<String>> provides) {
        boolean isPlugin() {
            return artifact.startsWith("replica-") || artifact.startsWith("discovery-")
                    || artifact.startsWith("tiering-") || artifact.startsWith("cluster-");
        }

        @Override
        public String toString() {
            return artifact;
        }
    }

    static List<Shape> shapes() {
        return List.of(
                new Shape("api", API, Set.of(API, API + ".replica", API + ".discovery", API + ".tier",
                        API + ".cluster"), Set.of(), Set.of(), Map.of()),
                new Shape("core", CORE, Set.of(CORE), Set.of("io.litefleet.core.cli to info.picocli"),
                        Set.of(REPLICA, DISCOVERY, TIERING, COORDINATION),
                        Map.of(REPLICA, Set.of("io.litefleet.core.file.FileReplicaClientProvider"),
                                TIERING, Set.of("io.litefleet.core.tier.DefaultTieringPolicyProvider"),
                                COORDINATION, Set.of("io.litefleet.core.cluster.SingleNodeCoordinatorProvider"))),
                plugin("replica-s3", "io.litefleet.replica.s3", REPLICA,
                        "io.litefleet.replica.s3.S3ReplicaClientProvider"),
                plugin("replica-azure", "io.litefleet.replica.azure", REPLICA,
                        "io.litefleet.replica.azure.AzureReplicaClientProvider"),
                plugin("replica-sftp", "io.litefleet.replica.sftp", REPLICA,
                        "io.litefleet.replica.sftp.SftpReplicaClientProvider"),
                plugin("discovery-glob", "io.litefleet.discovery.glob", DISCOVERY,
                        "io.litefleet.discovery.glob.GlobDiscoveryProvider"),
                plugin("replica-gcs", null, REPLICA, "io.litefleet.replica.gcs.GcsReplicaClientProvider"),
                plugin("cluster-etcd", "io.litefleet.cluster.etcd", COORDINATION,
                        "io.litefleet.cluster.etcd.EtcdCoordinatorProvider"),
                // An example plugin that looks up the policy it falls back to among the installed ones.
                new Shape("tiering-allowlist", "io.litefleet.tiering.allowlist", Set.of(), Set.of(), Set.of(TIERING),
                        Map.of(TIERING, Set.of("io.litefleet.tiering.allowlist.AllowlistTieringPolicyProvider"))));
    }

    private static Shape plugin(String artifact, String module, String service, String provider) {
        return new Shape(artifact, module, Set.of(), Set.of(), Set.of(), Map.of(service, Set.of(provider)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void builtModule_hasTheIntendedShape(Shape shape) throws IOException {
        Path location = locate(shape.artifact());
        Optional<ModuleDescriptor> descriptor = readDescriptor(location);
        Map<String, Set<String>> services = readServices(location, shape.provides().keySet());
        assertEquals(List.of(), drift(shape, descriptor, services), shape.artifact() + " at " + location);
    }

    @Test
    void drift_isReportedForEachKindOfChange() {
        Shape s3 = shapes().get(2);
        ModuleDescriptor drifted = ModuleDescriptor.newModule("io.litefleet.replica.s3")
                .requires("io.litefleet.api").requires(CORE)
                .exports("io.litefleet.replica.s3")
                .uses(TIERING)
                .provides(REPLICA, List.of("io.litefleet.replica.s3.Other"))
                .build();
        List<String> problems = drift(s3, Optional.of(drifted), Map.of(REPLICA, Set.of("x.Y")));
        assertEquals(List.of(
                "exports [io.litefleet.replica.s3], expected []",
                "uses [" + TIERING + "], expected []",
                "provides {" + REPLICA + "=[io.litefleet.replica.s3.Other]}, expected {" + REPLICA
                        + "=[io.litefleet.replica.s3.S3ReplicaClientProvider]}",
                "a plugin requires io.litefleet.core; plugins may only see io.litefleet.api",
                "META-INF/services {" + REPLICA + "=[x.Y]} does not match provides {" + REPLICA
                        + "=[io.litefleet.replica.s3.S3ReplicaClientProvider]}"), problems);
        assertTrue(drift(shapes().get(6), Optional.of(drifted), Map.of()).get(0).startsWith("has a module descriptor"),
                "gcs must stay without module-info");
        assertEquals(List.of("qualified export io.litefleet.core.x to m"), drift(
                new Shape("core", CORE, Set.of(CORE, "io.litefleet.core.x"), Set.of(), Set.of(), Map.of()),
                Optional.of(ModuleDescriptor.newModule(CORE).requires(API).exports(CORE).exports("io.litefleet.core.x", Set.of("m"))
                        .build()), Map.of()));
    }

    /** Every difference between the intended and the actual shape, as sentences. */
    static List<String> drift(Shape shape, Optional<ModuleDescriptor> actual, Map<String, Set<String>> services) {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> expectedProvides = new TreeMap<>(shape.provides());
        if (shape.module() == null) {
            actual.ifPresent(d -> problems.add("has a module descriptor (" + d.name()
                    + ") but must not: its libraries can never be named modules"));
        } else if (actual.isEmpty()) {
            problems.add("has no module-info.class");
        } else {
            ModuleDescriptor d = actual.get();
            compare(problems, "name", d.name(), shape.module());
            d.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                    .forEach(e -> problems.add("qualified export " + e.source() + " to " + String.join(",", e.targets())));
            compare(problems, "exports", sorted(d.exports().stream().map(ModuleDescriptor.Exports::source)),
                    new TreeSet<>(shape.exports()));
            compare(problems, "opens", sorted(d.opens().stream().map(o -> o.source()
                    + (o.isQualified() ? " to " + String.join(",", new TreeSet<>(o.targets())) : ""))),
                    new TreeSet<>(shape.opens()));
            compare(problems, "uses", new TreeSet<>(d.uses()), new TreeSet<>(shape.uses()));
            Map<String, Set<String>> provides = new TreeMap<>();
            d.provides().forEach(p -> provides.put(p.service(), new TreeSet<>(p.providers())));
            compare(problems, "provides", provides, expectedProvides);
            checkRequires(problems, shape, d);
        }
        if (!new TreeMap<>(services).equals(expectedProvides)) {
            problems.add("META-INF/services " + new TreeMap<>(services) + " does not match provides " + expectedProvides);
        }
        return problems;
    }

    private static void checkRequires(List<String> problems, Shape shape, ModuleDescriptor d) {
        Set<String> requires = d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        if (shape.module().equals(API)) {
            compare(problems, "requires", new TreeSet<>(requires), new TreeSet<>(Set.of("java.base")));
        } else if (!requires.contains(API)) {
            problems.add("does not require " + API);
        }
        if (shape.isPlugin() && requires.contains(CORE)) {
            problems.add("a plugin requires " + CORE + "; plugins may only see " + API);
        }
    }

    private static void compare(List<String> problems, String what, Object actual, Object expected) {
        if (!actual.equals(expected)) {
            problems.add(what + " " + actual + ", expected " + expected);
        }
    }

    private static TreeSet<String> sorted(java.util.stream.Stream<String> s) {
        return s.collect(Collectors.toCollection(TreeSet::new));
    }

    /** The test class path entry holding a module's own classes: its target/classes, or its jar. */
    static Path locate(String artifact) {
        Pattern dir = Pattern.compile(".*[/\\\\]" + Pattern.quote(artifact) + "[/\\\\]target[/\\\\]classes[/\\\\]?");
        Pattern jar = Pattern.compile(".*[/\\\\]litefleet-" + Pattern.quote(artifact) + "-\\d[^/\\\\]*\\.jar");
        List<Path> hits = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> dir.matcher(e).matches() || jar.matcher(e).matches()).map(Path::of).toList();
        assertEquals(1, hits.size(), () -> "expected one class path entry for " + artifact + ", got " + hits
                + "; is it a test dependency of distribution?");
        return hits.get(0);
    }

    static Optional<ModuleDescriptor> readDescriptor(Path location) throws IOException {
        byte[] bytes = readEntry(location, "module-info.class");
        return bytes == null ? Optional.empty()
                : Optional.of(ModuleDescriptor.read(java.nio.ByteBuffer.wrap(bytes)));
    }

    /** The service files present for the given services (and any other service this project defines). */
    static Map<String, Set<String>> readServices(Path location, Set<String> expected) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        Set<String> all = new TreeSet<>(expected);
        all.addAll(Set.of(REPLICA, DISCOVERY, TIERING));
        for (String service : all) {
            byte[] bytes = readEntry(location, "META-INF/services/" + service);
            if (bytes != null) {
                Set<String> providers = new TreeSet<>();
                for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                    Matcher m = Pattern.compile("^\\s*([^#\\s]+)").matcher(line);
                    if (m.find()) {
                        providers.add(m.group(1));
                    }
                }
                out.put(service, providers);
            }
        }
        return out;
    }

    private static byte[] readEntry(Path location, String name) throws IOException {
        if (Files.isDirectory(location)) {
            Path p = location.resolve(name);
            return Files.isRegularFile(p) ? Files.readAllBytes(p) : null;
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            var entry = jar.getJarEntry(name);
            if (entry == null) {
                return null;
            }
            try (InputStream in = jar.getInputStream(entry)) {
                return in.readAllBytes();
            }
        }
    }
}
