package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad values stop the render with a message that names the value (values.schema.json and fail). */
class ValuesSchemaTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "auth|replicas",
        "gateway|replicas",
        "converter|replicas",
        "notifier|replicas",
    })
    void negativeReplicasAreRejected(String role, String key) {
        assertThatThrownBy(() -> Chart.renderText(role + ":\n  " + key + ": -1\n"))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(role)
                .hasMessageContaining(key)
                .hasMessageContaining("minimum");
    }

    @Test
    void unknownSmtpSecurityModeIsRejected() {
        assertThatThrownBy(() -> Chart.renderText("""
                smtp:
                  security: tls
                """))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("smtp")
                .hasMessageContaining("security")
                .hasMessageContaining("starttls");
    }

    @Test
    void misspelledKeysAreRejected() {
        assertThatThrownBy(() -> Chart.renderText("""
                gateway:
                  replica: 3
                """))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("replica");
    }

    @Test
    void wrongTypesAreRejected() {
        assertThatThrownBy(() -> Chart.renderText("""
                converter:
                  concurrency: "four"
                """))
                .hasMessageContaining("converter")
                .hasMessageContaining("concurrency");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "videos|forever",
        "mp3s|7 days",
        "userQuota|10GB",
        "sweeperInterval|-30s",
    })
    void retentionAndQuotaTakeTheServersForms(String key, String value) {
        assertThatThrownBy(() -> Chart.renderText("retention:\n  " + key + ": \"" + value + "\"\n"))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("retention")
                .hasMessageContaining(key);
    }

    @Test
    void externalStoresNeedAConnectionString() {
        assertThatThrownBy(() -> Chart.renderText("""
                mongodb:
                  enabled: false
                """))
                .hasMessageContaining("mongodb.external.uri or mongodb.external.existingSecret");
        assertThatThrownBy(() -> Chart.renderText("""
                rabbitmq:
                  enabled: false
                """))
                .hasMessageContaining("rabbitmq.external.uri or rabbitmq.external.existingSecret");
    }

    @Test
    void anAdminNeedsAPassword() {
        assertThatThrownBy(() -> Chart.renderText("""
                auth:
                  admin:
                    email: admin@example.org
                """))
                .hasMessageContaining("auth.admin.password is required");
    }
}
