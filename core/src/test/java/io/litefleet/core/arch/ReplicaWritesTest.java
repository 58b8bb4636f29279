package io.litefleet.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.core.replica.ReplicaTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every write to a replica goes through {@link ReplicaTarget#put} and {@link ReplicaTarget#delete}, which check the
 * cluster fence first: nothing else in {@code core} calls a {@link ReplicaClient}'s {@code put} or {@code delete}.
 * Clients themselves (the file backend, counting and retrying wrappers) may call their delegate's. Read from the
 * compiled classes.
 */
class ReplicaWritesTest {
    private static final Set<String> WRITES = Set.of("put", "delete");

    private static final DescribedPredicate<JavaMethodCall> CLIENT_WRITE = DescribedPredicate.describe(
            "ReplicaClient.put or ReplicaClient.delete", call -> WRITES.contains(call.getName())
                    && call.getTargetOwner().isAssignableTo(ReplicaClient.class));

    private static final ArchRule RULE = noClasses()
            .that().doNotHaveFullyQualifiedName(ReplicaTarget.class.getName())
            .and().doNotImplement(ReplicaClient.class)
            .should().callMethodWhere(CLIENT_WRITE)
            .because("ReplicaTarget checks the fence (cluster ownership) before every put and delete");

    @Test
    void replicaClientWrites_onlyThroughReplicaTarget() {
        RULE.check(new ClassFileImporter().importPath(Path.of("target", "classes")));
    }

    @Test
    void rule_catchesADirectDelete() {
        JavaClasses violator = new ClassFileImporter().importClasses(DirectWriter.class);
        AssertionError e = assertThrows(AssertionError.class, () -> RULE.check(violator));
        assertTrue(e.getMessage().contains(DirectWriter.class.getName()), e.getMessage());
    }

    /** Writes around the fence, as the rule forbids. */
    static final class DirectWriter {
        void prune(ReplicaTarget target) throws Exception {
            target.client().delete(List.of("db/ltx/0/0000000000000001-0000000000000001.ltx"));
        }
    }
}
