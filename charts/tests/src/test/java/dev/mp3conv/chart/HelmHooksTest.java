package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `helm test` pod and NOTES.txt, which `helm template` through helm-java does not print. */
class HelmHooksTest {
    private static final Path TEST_POD = Path.of("templates", "tests", "test-health.yaml");

    @Test
    void helmTestPodCallsHealthOfGatewayAndAuth(@TempDir Path copy) throws IOException {
        String template = Files.readString(Chart.DIR.resolve(TEST_POD));
        assertThat(template).contains("helm.sh/hook: test");
        copyChart(copy);
        // Render the hook as a plain object so it goes through the same model validation.
        Files.writeString(copy.resolve(TEST_POD), template.replaceAll("(?m)^\\s*helm\\.sh/hook.*\\n", ""));

        Manifest manifest = Manifest.parse(new Helm(copy).template().withName(Chart.RELEASE)
                .withNamespace(Chart.NAMESPACE).withKubeVersion(Chart.KUBE_VERSION).call());

        V1Pod pod = manifest.get("Pod", Chart.name("test-health"), V1Pod.class);
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        V1Container container = pod.getSpec().getContainers().get(0);
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        String script = String.join(" ", container.getCommand());
        assertThat(script).contains("/observe/health").contains("-gateway").contains("-auth").contains(":9080");
        assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "test");
    }

    @Test
    void notesTellHowToReachTheGatewayAndLogIn() {
        String output = new Helm(Chart.DIR).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.KUBE_VERSION).dryRun().withDryRunOption(DryRun.CLIENT).clientOnly()
                .call().getOutput();

        assertThat(output).contains("http://mp3converter.com")
                .contains("mp3conv login --server http://mp3converter.com")
                .contains("helm test mp3");
    }

    /** Copies the chart without the test module next to it (which .helmignore leaves out anyway). */
    private static void copyChart(Path target) throws IOException {
        Path tests = Chart.DIR.resolve("tests");
        try (Stream<Path> files = Files.walk(Chart.DIR)) {
            for (Path source : files.filter(p -> !p.startsWith(tests)).toList()) {
                Path destination = target.resolve(Chart.DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
        }
    }
}
