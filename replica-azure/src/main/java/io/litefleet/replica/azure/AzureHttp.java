package io.litefleet.replica.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.ChainedTokenCredentialBuilder;
import com.azure.identity.EnvironmentCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP side of a client: the JDK HTTP client (no netty), bounded timeouts, a short SDK retry (the engine
 * retries with its own backoff, so the SDK only smooths over a blip) and the default credential chain.
 */
final class AzureHttp {
    /**
     * azure-core's JDK client logs a WARNING for every request carrying {@code Content-Length} (a header
     * java.net.http sets itself and refuses from callers), which would be a line per upload in Litefleet's log. Held
     * here so the level stays set (java.util.logging keeps loggers only weakly).
     */
    private static final Logger RESTRICTED_HEADER_NOISE = quiet("com.azure.core.http.jdk.httpclient.JdkHttpClient");

    private AzureHttp() {
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    /** Virtual threads named {@code litefleet-abs-N} for the HTTP client's asynchronous work. */
    static ExecutorService executor() {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("litefleet-abs-", 0).factory());
    }

    /**
     * One pooled HTTP client per destination. A server that accepts and then says nothing fails a request after a
     * minute instead of hanging it.
     */
    static HttpClient client(ExecutorService executor) {
        RESTRICTED_HEADER_NOISE.getLevel(); // loads the class, and with it the level, before the first request
        return new JdkHttpClientBuilder().executor(executor).connectionTimeout(Duration.ofSeconds(10))
                .writeTimeout(Duration.ofSeconds(60)).responseTimeout(Duration.ofSeconds(60))
                .readTimeout(Duration.ofSeconds(60)).build();
    }

    /** Three tries, 0.5 s then up to 4 s apart. */
    static RequestRetryOptions retries() {
        return new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, (Duration) null, Duration.ofMillis(500),
                Duration.ofSeconds(4), null);
    }

    /**
     * Upstream's fallback (Go's {@code azidentity.NewDefaultAzureCredential}): the {@code AZURE_*} environment of a
     * service principal ({@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} with {@code AZURE_CLIENT_SECRET} or
     * {@code AZURE_CLIENT_CERTIFICATE_PATH}), workload identity ({@code AZURE_FEDERATED_TOKEN_FILE}), managed
     * identity, then the Azure CLI's login: Go's chain, built by hand because Java's {@code DefaultAzureCredential}
     * adds members Go does not have (IDE logins, PowerShell, a shared token cache).
     */
    static TokenCredential defaultChain(HttpClient http) {
        ChainedTokenCredentialBuilder chain = new ChainedTokenCredentialBuilder()
                .addLast(new EnvironmentCredentialBuilder().httpClient(http).build());
        String tokenFile = System.getenv("AZURE_FEDERATED_TOKEN_FILE");
        if (tokenFile != null && !tokenFile.isBlank()) {
            chain.addLast(new WorkloadIdentityCredentialBuilder().httpClient(http).build());
        }
        return chain.addLast(new ManagedIdentityCredentialBuilder().httpClient(http).build())
                .addLast(new AzureCliCredentialBuilder().build()).build();
    }
}
