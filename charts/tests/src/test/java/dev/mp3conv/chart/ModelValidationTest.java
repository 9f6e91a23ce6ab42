package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The validation every render goes through rejects what the API server would. */
class ModelValidationTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              selector:
                matchLabels: {app: d}
              template:
                metadata:
                  labels: {app: d}
                spec:
                  containers:
                    - name: c
                      image: i
            """;

    @Test
    void acceptsAValidObject() {
        assertThat(Manifest.parse(DEPLOYMENT).resources()).hasSize(1);
    }

    @Test
    void rejectsUnknownFields() {
        assertThatThrownBy(() -> Manifest.parse(DEPLOYMENT.replace("image: i", "image: i\n          imagen: typo")))
                .hasMessageContaining("Deployment/d").hasMessageContaining("imagen");
    }

    @Test
    void rejectsMissingRequiredFields() {
        assertThatThrownBy(() -> Manifest.parse(DEPLOYMENT.replace("      - name: c\n", "      - \n")))
                .hasMessageContaining("Deployment/d").hasMessageContaining("name");
    }

    @Test
    void rejectsKindsWithoutAModel() {
        assertThatThrownBy(() -> Manifest.parse("""
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata:
                  name: s
                spec: {}
                """)).hasMessageContaining("no model");
        assertThatThrownBy(() -> Manifest.parse(DEPLOYMENT.replace("apps/v1", "extensions/v1beta1")))
                .hasMessageContaining("no model");
    }

    @Test
    void rejectsAScaledObjectWithoutTarget() {
        assertThatThrownBy(() -> Manifest.parse("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata:
                  name: s
                spec:
                  minReplicaCount: 1
                  maxReplicaCount: 3
                  pollingInterval: 15
                  cooldownPeriod: 300
                  triggers:
                    - type: rabbitmq
                      metadata: {queueName: video, mode: QueueLength, value: "2", host: amqp://h}
                """)).hasMessageContaining("scaleTargetRef");
    }

    @Test
    void rejectsARabbitTriggerWithoutQueue() {
        assertThatThrownBy(() -> Manifest.parse("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata:
                  name: s
                spec:
                  scaleTargetRef: {name: d}
                  minReplicaCount: 1
                  maxReplicaCount: 3
                  pollingInterval: 15
                  cooldownPeriod: 300
                  triggers:
                    - type: rabbitmq
                      metadata: {mode: QueueLength, value: "2", host: amqp://h}
                """)).hasMessageContaining("queueName");
    }
}
