package dev.mp3conv.chart;

import static dev.mp3conv.chart.Workloads.container;
import static dev.mp3conv.chart.Workloads.deployment;
import static dev.mp3conv.chart.Workloads.effectiveEnv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One Deployment per role from one image, each hardened, probed on the admin port and configured. */
class RoleDeploymentsTest {
    private static final Manifest DEFAULTS = Chart.render("");

    @ParameterizedTest
    @ValueSource(strings = {"auth", "gateway", "converter", "notifier"})
    void probesCallTheHealthEndpointsOnTheAdminPort(String role) {
        V1Container container = container(deployment(DEFAULTS, role));

        assertThat(container.getPorts()).extracting(V1ContainerPort::getName, V1ContainerPort::getContainerPort)
                .containsExactlyInAnyOrder(tuple("http", 8080),
                        tuple("admin", 9080));
        assertProbe(container.getStartupProbe(), "/observe/health/live");
        assertProbe(container.getLivenessProbe(), "/observe/health/live");
        assertProbe(container.getReadinessProbe(), "/observe/health/ready");
    }

    private static void assertProbe(V1Probe probe, String path) {
        assertThat(probe).as("probe for %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("admin"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth", "gateway", "converter", "notifier"})
    void runsNonRootWithReadOnlyRootAndNoPrivileges(String role) {
        V1Deployment deployment = deployment(DEFAULTS, role);
        V1PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        V1Container container = container(deployment);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        var security = container.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getPrivileged()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth", "gateway", "converter", "notifier"})
    void writesOnlyToEmptyDirsForDataAndTemp(String role) {
        V1Deployment deployment = deployment(DEFAULTS, role);
        Map<String, V1Volume> volumes = new HashMap<>();
        deployment.getSpec().getTemplate().getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));

        assertThat(container(deployment).getVolumeMounts())
                .extracting(V1VolumeMount::getMountPath).containsExactlyInAnyOrder("/data", "/tmp");
        for (V1VolumeMount mount : container(deployment).getVolumeMounts()) {
            assertThat(volumes.get(mount.getName()).getEmptyDir()).as("volume of %s", mount.getMountPath())
                    .isNotNull();
        }
        assertThat(effectiveEnv(DEFAULTS, role)).contains(entry("MP3CONV_DATA_DIR", "/data"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth", "gateway", "converter", "notifier"})
    void runsItsRoleFromTheOneImage(String role) {
        V1Deployment deployment = deployment(DEFAULTS, role);

        // by default the image server/container/build-local.sh builds
        assertThat(container(deployment).getImage()).isEqualTo("localhost/mp3conv-server:dev");
        assertThat(effectiveEnv(DEFAULTS, role)).contains(entry("APP_ROLES", role),
                entry("SERVER_PORT", "8080"), entry("ADMIN_PORT", "9080"),
                // the probes reach the pod IP: the server's loopback default would fail them
                entry("ADMIN_HOST", "0.0.0.0"), entry("SERVER_HEADER_TIMEOUT", "30s"),
                entry("SERVER_BODY_IDLE_TIMEOUT", "2m"));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/component", role);
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", role);
    }

    @Test
    void pullsFromYourRegistryByAppVersionTagOrDigest() {
        String registry = """
                image:
                  repository: registry.example.org/mp3conv-server
                  tag: ""
                """;
        String digest = "sha256:" + "ab".repeat(32);

        assertThat(container(deployment(Chart.render(registry), "converter")).getImage())
                .isEqualTo("registry.example.org/mp3conv-server:0.1.0");
        assertThat(container(deployment(Chart.render(registry + "  digest: " + digest + "\n"), "converter")).getImage())
                .isEqualTo("registry.example.org/mp3conv-server@" + digest);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth", "gateway", "converter", "notifier"})
    void hasResourcesAndPrefersSpreadingOverNodes(String role) {
        V1Deployment deployment = deployment(DEFAULTS, role);
        var resources = container(deployment).getResources();

        assertThat(resources.getRequests()).containsKeys("cpu", "memory");
        assertThat(resources.getLimits()).containsKey("memory");
        var preferred = deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution();
        assertThat(preferred).singleElement().satisfies(term -> {
            assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/component", role);
        });
    }

    @Test
    void eachRoleGetsTheSettingsItNeeds() {
        Manifest manifest = Chart.render(Scenarios.SMTP_AND_ADMIN);
        String mongo = "secret:" + Chart.name("mongodb") + "/uri";
        String amqp = "secret:" + Chart.name("rabbitmq") + "/uri";

        assertThat(effectiveEnv(manifest, "auth")).contains(
                entry("MONGODB_URI", mongo), entry("MONGODB_DATABASE", "mp3conv"),
                entry("AUTH_SIGNING_KEY", "secret:" + Chart.name("auth-signing-key") + "/signing-key.pem"),
                entry("AUTH_OPEN_REGISTRATION", "true"), entry("AUTH_ISSUER", "mp3conv"),
                entry("AUTH_CLIENT_ADDRESS_HEADER", "X-Forwarded-For"),
                entry("AUTH_AUDIENCE", "mp3conv-api"), entry("AUTH_REVOCATION_CACHE_TTL", "10s"),
                entry("AUTH_HASHING_THREADS", "2"), entry("AUTH_REGISTRATION_MAX_PER_ADDRESS", "10"),
                entry("MP3CONV_ADMIN_EMAIL", "secret:" + Chart.name("admin") + "/email"),
                entry("MP3CONV_ADMIN_PASSWORD", "secret:" + Chart.name("admin") + "/password"))
                .doesNotContainKey("AMQP_URI");
        String webhookKey = "secret:" + Chart.name("webhook-secret-key") + "/webhook-secret.key";
        for (String role : List.of("gateway", "notifier")) {
            assertThat(effectiveEnv(manifest, role)).as(role).contains(entry("WEBHOOKS_SECRET_KEY", webhookKey),
                    entry("WEBHOOKS_ALLOW_PRIVATE", "false"));
        }
        assertThat(effectiveEnv(manifest, "converter")).doesNotContainKey("WEBHOOKS_SECRET_KEY");
        assertThat(effectiveEnv(manifest, "gateway")).contains(
                entry("MONGODB_URI", mongo), entry("AMQP_URI", amqp), entry("MONGODB_DATABASE", "mp3conv"),
                entry("AUTH_URL", "http://" + Chart.name("auth") + ":8080"),
                entry("AUTH_AUDIENCE", "mp3conv-api"), entry("AUTH_REVOCATION_CACHE_TTL", "10s"),
                entry("PUBLIC_URL", "http://mp3converter.com"), entry("VIDEO_QUEUE", "video"),
                entry("UPLOAD_MAX_SIZE", "4g"), entry("USER_QUOTA", "10g"), entry("RETAIN_VIDEOS", "24h"),
                entry("RETAIN_MP3S", "7d"), entry("SWEEPER_INTERVAL", "30s"))
                .doesNotContainKeys("AUTH_SIGNING_KEY", "SMTP_PASSWORD");
        assertThat(effectiveEnv(manifest, "auth")).containsEntry("USER_QUOTA", "10g")
                .doesNotContainKeys("RETAIN_VIDEOS", "SWEEPER_INTERVAL");
        assertThat(effectiveEnv(manifest, "converter")).contains(
                entry("RETAIN_VIDEOS", "24h"), entry("RETAIN_MP3S", "7d"), entry("SWEEPER_INTERVAL", "30s"))
                .doesNotContainKey("USER_QUOTA");
        assertThat(effectiveEnv(manifest, "converter")).contains(
                entry("MONGODB_URI", mongo), entry("AMQP_URI", amqp), entry("CONVERTER_CONCURRENCY", "1"),
                entry("CONVERTER_PER_USER", "2"), entry("CONVERTER_MAX_DURATION", "12h"),
                entry("CONVERTER_SEGMENT_THRESHOLD", "4m"), entry("CONVERTER_SEGMENTS", "5"),
                entry("VIDEO_QUEUE", "video"), entry("MP3_QUEUE", "mp3"), entry("QUEUE_DELIVERY_LIMIT", "5"))
                .doesNotContainKeys("AUTH_SIGNING_KEY", "SMTP_PASSWORD");
        assertThat(effectiveEnv(manifest, "notifier")).contains(
                entry("MONGODB_URI", mongo), entry("AMQP_URI", amqp),
                entry("SMTP_HOST", "smtp.example.org"), entry("SMTP_PORT", "465"), entry("SMTP_SECURITY", "ssl"),
                entry("SMTP_FROM", "mp3conv@example.org"),
                entry("SMTP_USERNAME", "secret:" + Chart.name("smtp") + "/username"),
                entry("SMTP_PASSWORD", "secret:" + Chart.name("smtp") + "/password"),
                entry("PUBLIC_URL", "http://mp3converter.com"))
                .doesNotContainKey("AUTH_SIGNING_KEY");
    }

    @Test
    void registrationIsClosedAndNoAdminIsBootstrappedByDefault() {
        assertThat(effectiveEnv(DEFAULTS, "auth")).contains(entry("AUTH_OPEN_REGISTRATION", "false"))
                .doesNotContainKeys("MP3CONV_ADMIN_EMAIL", "MP3CONV_ADMIN_PASSWORD");
        assertThat(effectiveEnv(DEFAULTS, "notifier")).doesNotContainKeys("SMTP_HOST", "SMTP_PASSWORD");
    }

    @Test
    void publicUrlFollowsTheIngressTls() {
        Manifest manifest = Chart.render(Scenarios.INGRESS_TLS);

        assertThat(effectiveEnv(manifest, "gateway")).contains(entry("PUBLIC_URL", "https://mp3.example.org"));
    }

    @Test
    void replicasAndResourcesCanBeOverridden() {
        Manifest manifest = Chart.render(Scenarios.REPLICAS_AND_RESOURCES);

        assertThat(deployment(manifest, "auth").getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment(manifest, "gateway").getSpec().getReplicas()).isEqualTo(4);
        assertThat(deployment(manifest, "converter").getSpec().getReplicas()).isEqualTo(6);
        assertThat(deployment(manifest, "notifier").getSpec().getReplicas()).isZero();
        var gateway = container(deployment(manifest, "gateway")).getResources();
        assertThat(gateway.getRequests()).containsEntry("cpu", Quantity.fromString("500m"))
                .containsEntry("memory", Quantity.fromString("1Gi"));
        assertThat(gateway.getLimits()).containsEntry("cpu", Quantity.fromString("2"))
                .containsEntry("memory", Quantity.fromString("2Gi"));
        assertThat(container(deployment(manifest, "converter")).getResources().getLimits())
                .containsEntry("memory", Quantity.fromString("3Gi"));
    }

    @Test
    void aConfigChangeChangesOnlyTheAffectedRolesChecksum() {
        Manifest changed = Chart.render("""
                converter:
                  concurrency: 3
                """);

        assertThat(checksum(changed, "converter")).isNotEqualTo(checksum(DEFAULTS, "converter"));
        assertThat(checksum(changed, "gateway")).isEqualTo(checksum(DEFAULTS, "gateway"));
        assertThat(checksum(Chart.render(""), "converter")).as("stable between renders")
                .isEqualTo(checksum(DEFAULTS, "converter"));
    }

    @Test
    void aSecretValueChangeRollsTheRolesThatReadIt() {
        Manifest before = Chart.render(Scenarios.SMTP_AND_ADMIN);
        Manifest after = Chart.render(Scenarios.SMTP_AND_ADMIN.replace("mail-s3cret-value", "rotated-value"));

        assertThat(annotation(after, "notifier", "checksum/secret"))
                .isNotEqualTo(annotation(before, "notifier", "checksum/secret"));
        assertThat(annotation(after, "gateway", "checksum/secret"))
                .isEqualTo(annotation(before, "gateway", "checksum/secret"));
    }

    private static String checksum(Manifest manifest, String role) {
        return annotation(manifest, role, "checksum/config");
    }

    private static String annotation(Manifest manifest, String role, String key) {
        String value = deployment(manifest, role).getSpec().getTemplate().getMetadata().getAnnotations().get(key);
        assertThat(value).as("%s annotation %s", role, key).matches("[0-9a-f]{64}");
        return value;
    }
}
