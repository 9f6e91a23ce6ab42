package dev.mp3conv.server.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.model.Filters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The harness itself: a store outage keeps the data, readiness follows the store, SIGTERM stops cleanly. */
class ProcessClusterIT {
    private ProcessCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = new ProcessCluster("harness");
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void storeRestartKeepsDataAndReadinessFollowsItAndSigtermStopsTheProcess() throws Exception {
        ProcessCluster.Node gateway = cluster.start("gateway", "gateway,auth", Map.of());
        cluster.awaitReady();
        cluster.userToken("harness@example.test");
        assertThat(cluster.count("users", Filters.empty())).isEqualTo(1);

        cluster.stopStore();
        await("not ready without the store").atMost(Duration.ofSeconds(30)).until(() -> !cluster.ready(gateway));
        cluster.startStore();
        cluster.awaitReady();
        assertThat(cluster.count("users", Filters.empty())).as("data kept across the outage").isEqualTo(1);

        cluster.terminate(gateway);
        assertThat(gateway.process().waitFor(0, TimeUnit.SECONDS)).isTrue();
        assertThat(gateway.process().exitValue()).as("exit code of a JVM ended by SIGTERM").isEqualTo(143);
        assertThat(gateway.output()).contains("mp3conv up", "stopped");
    }
}
