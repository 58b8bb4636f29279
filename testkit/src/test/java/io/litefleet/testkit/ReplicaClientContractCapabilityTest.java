package io.litefleet.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ReplicaClient;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * Proves that a capability switched off aborts its tests with the reason (JUnit reports an aborted test as skipped),
 * instead of letting them pass.
 */
class ReplicaClientContractCapabilityTest {

    /** A backend that declares it keeps no user metadata; driven by hand below, never discovered by JUnit. */
    static final class WithoutMetadata extends ReplicaClientContract {
        @Override
        protected ReplicaClient openClient() {
            return InMemoryReplicaClient.create(Clock.systemUTC());
        }

        @Override
        protected boolean supports(Capability capability) {
            return capability != Capability.USER_METADATA;
        }

        @Override
        protected String unsupportedReason(Capability capability) {
            return "the test backend has no metadata";
        }
    }

    @Test
    public void unsupportedCapability_abortsItsTestWithTheReason() throws Exception {
        WithoutMetadata contract = new WithoutMetadata();
        contract.openContractClient();
        try {
            TestAbortedException e = assertThrows(TestAbortedException.class, contract::metadata_roundTripsThroughStat);
            assertTrue(e.getMessage().contains("USER_METADATA") && e.getMessage().contains("no metadata"),
                    e.getMessage());
            contract.timestamp_comesBackAsCreatedAt(); // a supported capability still runs and passes
        } finally {
            contract.closeContractClient();
        }
    }
}
