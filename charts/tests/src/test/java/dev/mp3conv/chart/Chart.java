package dev.mp3conv.chart;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The chart under test, rendered with the real Helm library (helm-java) the way
 * {@code helm template} does, offline. {@code lookup} is answered by {@link FakeKubernetesApi}.
 */
final class Chart {
    /** charts/: this module runs in charts/tests/, which the chart's .helmignore leaves out. */
    static final Path DIR = Path.of("..").toAbsolutePath().normalize();
    static final String RELEASE = "mp3";
    static final String NAMESPACE = "media";
    /** The full name of every object: the release name plus the chart name. */
    static final String FULLNAME = RELEASE + "-mp3conv";
    /** Cluster version the render assumes (helm-java's template default is v1.20, below the chart's floor). */
    static final String KUBE_VERSION = "v1.31.0";

    private Chart() {
    }

    /**
     * Renders the chart with default values plus the given values file content.
     *
     * @param valuesYaml YAML overriding values.yaml (may be empty)
     * @return every rendered object, each validated against its Kubernetes model
     */
    static Manifest render(String valuesYaml) {
        return Manifest.parse(renderText(valuesYaml));
    }

    /**
     * Renders as an upgrade would: {@code lookup} finds these Secrets (name → plain-text data).
     */
    static synchronized Manifest renderOver(Map<String, Map<String, String>> existingSecrets, String valuesYaml) {
        FakeKubernetesApi.instance().existingSecrets(existingSecrets);
        try {
            return render(valuesYaml);
        } finally {
            FakeKubernetesApi.instance().existingSecrets(Map.of());
        }
    }

    /**
     * Renders the chart and returns Helm's raw output; Helm errors (schema, {@code fail})
     * surface as exceptions carrying Helm's message.
     */
    static synchronized String renderText(String valuesYaml) {
        FakeKubernetesApi.instance();
        Path values = null;
        try {
            values = Files.createTempFile("mp3conv-values", ".yaml");
            Files.writeString(values, valuesYaml);
            return new Helm(DIR).template()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withKubeVersion(KUBE_VERSION)
                    .withValuesFile(values)
                    .call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (values != null) {
                try {
                    Files.deleteIfExists(values);
                } catch (IOException e) {
                    // a leftover temp file is harmless; the render result matters
                }
            }
        }
    }

    static String name(String suffix) {
        return FULLNAME + "-" + suffix;
    }
}
