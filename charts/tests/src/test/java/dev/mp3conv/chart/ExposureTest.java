package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What is reachable: the gateway through the Ingress; RabbitMQ's management UI nowhere. */
class ExposureTest {
    private static final Manifest DEFAULTS = Chart.render("");

    @Test
    void ingressStreamsUnlimitedUploadsToTheGateway() {
        V1Ingress ingress = DEFAULTS.get("Ingress", Chart.FULLNAME, V1Ingress.class);

        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "0")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off");
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("mp3converter.com");
            assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
                assertThat(path.getPath()).isEqualTo("/");
                assertThat(path.getBackend().getService().getName()).isEqualTo(Chart.name("gateway"));
                assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http");
            });
        });
        assertThat(ingress.getSpec().getTls()).isNullOrEmpty();
    }

    @Test
    void ingressTlsAndClassAreConfigurable() {
        V1Ingress ingress = Chart.render(Scenarios.INGRESS_TLS + """
                  className: traefik
                """).get("Ingress", Chart.FULLNAME, V1Ingress.class);

        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("traefik");
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(tls -> {
            assertThat(tls.getHosts()).containsExactly("mp3.example.org");
            assertThat(tls.getSecretName()).isEqualTo("mp3-example-org-tls");
        });
        assertThat(ingress.getSpec().getRules()).extracting(r -> r.getHost()).containsExactly("mp3.example.org");
    }

    @Test
    void authPathsCanBeRoutedToTheAuthService() {
        V1Ingress ingress = Chart.render("""
                ingress:
                  routeAuthPaths: true
                """).get("Ingress", Chart.FULLNAME, V1Ingress.class);

        List<V1HTTPIngressPath> paths = ingress.getSpec().getRules().get(0).getHttp().getPaths();
        assertThat(paths).filteredOn(p -> p.getBackend().getService().getName().equals(Chart.name("auth")))
                .extracting(V1HTTPIngressPath::getPath)
                .containsExactlyInAnyOrder("/api/v1/auth", "/api/v1/users", "/login", "/validate",
                        "/.well-known/jwks.json");
        assertThat(paths).filteredOn(p -> p.getPath().equals("/")).singleElement()
                .satisfies(p -> assertThat(p.getBackend().getService().getName()).isEqualTo(Chart.name("gateway")));
    }

    @Test
    void gatewayAndAuthHaveServicesOnHttpAndAdminPorts() {
        for (String role : List.of("gateway", "auth")) {
            V1Service service = DEFAULTS.get("Service", Chart.name(role), V1Service.class);
            assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
            assertThat(service.getSpec().getSelector()).containsEntry("app.kubernetes.io/component", role);
            assertThat(service.getSpec().getPorts()).extracting(V1ServicePort::getName, V1ServicePort::getPort)
                    .containsExactlyInAnyOrder(tuple("http", 8080),
                            tuple("admin", 9080));
        }
        assertThat(DEFAULTS.find("Service", Chart.name("converter"))).isEmpty();
        assertThat(DEFAULTS.find("Service", Chart.name("notifier"))).isEmpty();
    }

    @Test
    void rabbitMqManagementUiIsNeverExposed() {
        for (String values : List.of("", Scenarios.NETWORK_POLICY, Scenarios.INGRESS_TLS, Scenarios.KEDA)) {
            Manifest manifest = Chart.render(values);
            assertThat(manifest.ofKind("Ingress")).allSatisfy(resource -> {
                V1Ingress ingress = resource.as(V1Ingress.class);
                ingress.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(path ->
                        assertThat(path.getBackend().getService().getName())
                                .isIn(Chart.name("gateway"), Chart.name("auth"))));
            });
            V1Service rabbit = manifest.get("Service", Chart.name("rabbitmq"), V1Service.class);
            assertThat(rabbit.getSpec().getType()).isIn(null, "ClusterIP");
            assertThat(rabbit.getSpec().getPorts()).extracting(V1ServicePort::getPort).containsExactly(5672);
            V1StatefulSet statefulSet = manifest.get("StatefulSet", Chart.name("rabbitmq"), V1StatefulSet.class);
            var container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getImage()).matches("rabbitmq:(3\\.13|4\\.\\d+)\\.\\d+")
                    .doesNotContain("management");
            assertThat(container.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(5672);
            for (Manifest.Resource resource : manifest.resources()) {
                assertThat(resource.json().toString()).as("%s mentions the management port", resource)
                        .doesNotContain("15672").doesNotContainIgnoringCase("management.tcp");
            }
        }
    }

    @Test
    void rabbitMqLetsConvertersHoldAMessageForALongConversion() {
        String conf = DEFAULTS.get("ConfigMap", Chart.name("rabbitmq"), V1ConfigMap.class).getData()
                .get("20-mp3conv.conf");
        assertThat(conf).contains("consumer_timeout = 21600000");
        String custom = Chart.render("rabbitmq:\n  consumerTimeoutMs: 3600000\n")
                .get("ConfigMap", Chart.name("rabbitmq"), V1ConfigMap.class).getData().get("20-mp3conv.conf");
        assertThat(custom).contains("consumer_timeout = 3600000");
    }

    @Test
    void inChartStoresAreAuthenticatedPersistentAndPinned() {
        V1StatefulSet mongo = DEFAULTS.get("StatefulSet", Chart.name("mongodb"), V1StatefulSet.class);
        V1StatefulSet rabbit = DEFAULTS.get("StatefulSet", Chart.name("rabbitmq"), V1StatefulSet.class);

        assertThat(mongo.getSpec().getReplicas()).isEqualTo(1);
        assertThat(mongo.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .matches("mongo:[78]\\.\\d+\\.\\d+");
        assertThat(mongo.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsExactly("--wiredTigerCacheSizeGB", "0.5");
        assertThat(mongo.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName())
                .containsExactlyInAnyOrder("MONGO_INITDB_ROOT_USERNAME=" + Chart.name("mongodb"),
                        "MONGO_INITDB_ROOT_PASSWORD=" + Chart.name("mongodb"));
        assertThat(rabbit.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName())
                .containsExactlyInAnyOrder("RABBITMQ_DEFAULT_USER=" + Chart.name("rabbitmq"),
                        "RABBITMQ_DEFAULT_PASS=" + Chart.name("rabbitmq"));
        for (V1StatefulSet store : List.of(mongo, rabbit)) {
            assertThat(store.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim ->
                    assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage"));
            var pod = store.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            var container = pod.getContainers().get(0);
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(container.getLivenessProbe()).isNotNull();
            assertThat(container.getReadinessProbe()).isNotNull();
            assertThat(container.getResources().getLimits()).containsKey("memory");
        }
    }
}
