package io.litefleet.core.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The packages of {@code core} form a layered graph: no package depends, directly or through others, on a package
 * that depends on it. Read from the compiled classes, so a new back-edge fails the build where it is written.
 */
class PackageCyclesTest {
    @Test
    void corePackages_haveNoCycles() {
        JavaClasses classes = new ClassFileImporter().importPath(Path.of("target", "classes"));
        slices().matching("io.litefleet.core.(*)..").should().beFreeOfCycles().check(classes);
    }
}
