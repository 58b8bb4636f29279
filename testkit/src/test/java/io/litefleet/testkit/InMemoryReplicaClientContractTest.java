package io.litefleet.testkit;

import io.litefleet.api.replica.ReplicaClient;
import java.time.Clock;

/** Runs the contract against the in-memory client, which also proves the contract kit runs. */
class InMemoryReplicaClientContractTest extends ReplicaClientContract {
    @Override
    protected ReplicaClient openClient() {
        return InMemoryReplicaClient.create(Clock.systemUTC());
    }

    @Override
    protected long largeObjectSize() {
        return 8L << 20; // it holds objects in the heap by design; 8 MiB still spans many buffers
    }
}
