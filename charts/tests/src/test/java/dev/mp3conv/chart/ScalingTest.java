package dev.mp3conv.chart;

import static dev.mp3conv.chart.Workloads.ROLES;
import static dev.mp3conv.chart.Workloads.deployment;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;

/** Converters scale on CPU by default or on the video queue with KEDA; every role has a PDB. */
class ScalingTest {

    @Test
    void converterScalesOnCpuByDefault() {
        Manifest manifest = Chart.render("");

        V2HorizontalPodAutoscaler hpa = manifest.get("HorizontalPodAutoscaler", Chart.name("converter"),
                V2HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(Chart.name("converter"));
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(metric -> {
            assertThat(metric.getResource().getName()).isEqualTo("cpu");
            assertThat(metric.getResource().getTarget().getAverageUtilization()).isEqualTo(70);
        });
        assertThat(manifest.ofKind("HorizontalPodAutoscaler")).hasSize(1);
        assertThat(manifest.ofKind("ScaledObject")).isEmpty();
        // the HPA owns the replica count; a fixed one would fight it on every upgrade
        assertThat(deployment(manifest, "converter").getSpec().getReplicas()).isNull();
        assertThat(deployment(manifest, "gateway").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void kedaScalesConvertersOnTheVideoQueueInsteadOfTheHpa() {
        Manifest manifest = Chart.render(Scenarios.KEDA);

        assertThat(manifest.ofKind("HorizontalPodAutoscaler")).isEmpty();
        JsonObject spec = manifest.get("ScaledObject", Chart.name("converter")).json().getAsJsonObject("spec");
        assertThat(spec.getAsJsonObject("scaleTargetRef").get("name").getAsString()).isEqualTo(Chart.name("converter"));
        assertThat(spec.get("minReplicaCount").getAsInt()).isZero();
        assertThat(spec.get("maxReplicaCount").getAsInt()).isEqualTo(20);
        JsonObject trigger = spec.getAsJsonArray("triggers").get(0).getAsJsonObject();
        assertThat(trigger.get("type").getAsString()).isEqualTo("rabbitmq");
        JsonObject metadata = trigger.getAsJsonObject("metadata");
        assertThat(metadata.get("queueName").getAsString()).isEqualTo("video");
        assertThat(metadata.get("mode").getAsString()).isEqualTo("QueueLength");
        assertThat(metadata.get("value").getAsString()).isEqualTo("2");
        assertThat(metadata.has("host")).as("no connection string in the ScaledObject").isFalse();
        String auth = trigger.getAsJsonObject("authenticationRef").get("name").getAsString();
        JsonObject secretRef = manifest.get("TriggerAuthentication", auth).json().getAsJsonObject("spec")
                .getAsJsonArray("secretTargetRef").get(0).getAsJsonObject();
        assertThat(secretRef.get("parameter").getAsString()).isEqualTo("host");
        assertThat(secretRef.get("name").getAsString()).isEqualTo(Chart.name("rabbitmq"));
        assertThat(secretRef.get("key").getAsString()).isEqualTo("uri");
        assertThat(deployment(manifest, "converter").getSpec().getReplicas()).isNull();
    }

    @Test
    void kedaFollowsAnExternalBrokerAndARenamedQueue() {
        Manifest manifest = Chart.render(Scenarios.KEDA + Scenarios.EXTERNAL_STORES_EXISTING_SECRETS + """
                queue:
                  video: uploads
                """);

        JsonObject trigger = manifest.get("ScaledObject", Chart.name("converter")).json().getAsJsonObject("spec")
                .getAsJsonArray("triggers").get(0).getAsJsonObject();
        assertThat(trigger.getAsJsonObject("metadata").get("queueName").getAsString()).isEqualTo("uploads");
        JsonObject secretRef = manifest.get("TriggerAuthentication", Chart.name("converter")).json()
                .getAsJsonObject("spec").getAsJsonArray("secretTargetRef").get(0).getAsJsonObject();
        assertThat(secretRef.get("name").getAsString()).isEqualTo("shared-rabbit");
    }

    @Test
    void everyRoleHasADisruptionBudgetThatAllowsDrains() {
        Manifest manifest = Chart.render("");

        for (String role : ROLES) {
            V1PodDisruptionBudget pdb = manifest.get("PodDisruptionBudget", Chart.name(role),
                    V1PodDisruptionBudget.class);
            assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
            assertThat(pdb.getSpec().getMinAvailable()).isNull();
            assertThat(pdb.getSpec().getSelector().getMatchLabels())
                    .isEqualTo(deployment(manifest, role).getSpec().getSelector().getMatchLabels());
        }
    }
}
