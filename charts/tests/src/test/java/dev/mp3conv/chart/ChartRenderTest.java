package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart lints strictly and renders valid Kubernetes objects for every supported shape. */
class ChartRenderTest {

    @Test
    void lintStrictPasses() {
        LintResult result = new Helm(Chart.DIR).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("defaults", ""),
                Arguments.of("external MongoDB and RabbitMQ", Scenarios.EXTERNAL_STORES),
                Arguments.of("external stores from existing Secrets", Scenarios.EXTERNAL_STORES_EXISTING_SECRETS),
                Arguments.of("ingress TLS", Scenarios.INGRESS_TLS),
                Arguments.of("KEDA on", Scenarios.KEDA),
                Arguments.of("network policy on", Scenarios.NETWORK_POLICY),
                Arguments.of("replicas and resources overridden", Scenarios.REPLICAS_AND_RESOURCES),
                Arguments.of("SMTP and admin from values", Scenarios.SMTP_AND_ADMIN),
                Arguments.of("existing Secrets for everything", Scenarios.EXISTING_SECRETS),
                Arguments.of("everything off", Scenarios.EVERYTHING_OFF));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void rendersOnlyValidObjects(String shape, String values) {
        Manifest manifest = Chart.render(values);

        // Manifest.parse has validated each object against its API model; here: the roles are all there.
        assertThat(manifest.ofKind("Deployment")).extracting(Manifest.Resource::name)
                .containsExactlyInAnyOrder(Chart.name("auth"), Chart.name("gateway"),
                        Chart.name("converter"), Chart.name("notifier"));
        assertThat(manifest.resources()).extracting(Manifest.Resource::toString).doesNotHaveDuplicates();
    }
}
