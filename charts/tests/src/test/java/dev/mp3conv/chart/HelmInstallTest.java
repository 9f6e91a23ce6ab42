package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import org.junit.jupiter.api.Test;

/**
 * {@code helm install mp3conv charts/} and {@code helm install --generate-name charts/}, as users type them
 * (client-only dry runs: no cluster here).
 */
class HelmInstallTest {

    @Test
    void installNamedMp3convUsesTheReleaseNameAsPrefix() {
        Release release = dryRun(new Helm(Chart.DIR).install().withName("mp3conv"));

        assertThat(release.getName()).isEqualTo("mp3conv");
        assertThat(release.getChart()).startsWith("mp3conv-");
        // the release name already holds the chart name, so objects are not named mp3conv-mp3conv-* (NOTES name them)
        assertThat(release.getOutput()).contains("deploy/mp3conv-auth ").doesNotContain("mp3conv-mp3conv");
    }

    @Test
    void installWithGeneratedNameNamesObjectsAfterIt() {
        Release release = dryRun(new Helm(Chart.DIR).install().generateName());

        // Helm names the release after the chart path's last element and the time: charts-<unix seconds>
        assertThat(release.getName()).matches("charts-\\d+");
        assertThat(release.getChart()).startsWith("mp3conv-");
        assertThat(release.getOutput()).contains("deploy/" + release.getName() + "-mp3conv-auth ");
    }

    private static Release dryRun(InstallCommand install) {
        return install.withNamespace(Chart.NAMESPACE).withKubeVersion(Chart.KUBE_VERSION)
                .dryRun().withDryRunOption(DryRun.CLIENT).clientOnly().call();
    }
}
