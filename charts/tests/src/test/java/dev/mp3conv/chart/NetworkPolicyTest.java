package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With network policies on, only the Ingress controller reaches the gateway's API port. */
class NetworkPolicyTest {
    private static final Manifest MANIFEST = Chart.render(Scenarios.NETWORK_POLICY);

    @Test
    void offByDefault() {
        assertThat(Chart.render("").ofKind("NetworkPolicy")).isEmpty();
    }

    @Test
    void onlyTheGatewayHttpPortIsOpenToTheIngressController() {
        for (String component : List.of("auth", "gateway", "converter", "notifier", "mongodb", "rabbitmq")) {
            V1NetworkPolicy policy = policy(component);
            assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
            assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/component", component);
            List<V1NetworkPolicyIngressRule> fromController = rules(policy).stream()
                    .filter(rule -> rule.getFrom().stream().anyMatch(NetworkPolicyTest::isIngressController))
                    .toList();
            if (component.equals("gateway")) {
                assertThat(fromController).singleElement().satisfies(rule ->
                        assertThat(rule.getPorts()).extracting(V1NetworkPolicyPort::getPort)
                                .containsExactly(new IntOrString("http")));
            } else {
                assertThat(fromController).as("%s reachable from the Ingress controller", component).isEmpty();
            }
        }
    }

    @Test
    void everyRuleNamesItsSourcesAndPorts() {
        for (Manifest.Resource resource : MANIFEST.ofKind("NetworkPolicy")) {
            for (V1NetworkPolicyIngressRule rule : rules(resource.as(V1NetworkPolicy.class))) {
                assertThat(rule.getFrom()).as("%s allows every source", resource).isNotEmpty();
                assertThat(rule.getPorts()).as("%s allows every port", resource).isNotEmpty();
            }
        }
    }

    @Test
    void authTakesApiCallsFromGatewaysOnly() {
        List<V1NetworkPolicyIngressRule> onHttp = rules(policy("auth")).stream()
                .filter(rule -> rule.getPorts().stream().anyMatch(p -> p.getPort().equals(new IntOrString("http"))))
                .toList();

        assertThat(onHttp).singleElement().satisfies(rule -> assertThat(rule.getFrom()).singleElement()
                .satisfies(peer -> {
                    assertThat(peer.getNamespaceSelector()).isNull();
                    assertThat(peer.getPodSelector().getMatchLabels())
                            .containsEntry("app.kubernetes.io/component", "gateway");
                }));
    }

    @Test
    void convertersAndNotifiersTakeOnlyMetricsScrapes() {
        for (String role : List.of("converter", "notifier")) {
            assertThat(rules(policy(role))).singleElement().satisfies(rule -> {
                assertThat(rule.getPorts()).extracting(V1NetworkPolicyPort::getPort)
                        .containsExactly(new IntOrString("admin"));
                assertThat(rule.getFrom()).singleElement().satisfies(peer ->
                        assertThat(peer.getNamespaceSelector().getMatchLabels())
                                .containsEntry("kubernetes.io/metadata.name", "monitoring"));
            });
        }
    }

    @Test
    void storesTakeConnectionsFromTheRolesAndKeda() {
        V1NetworkPolicy rabbit = policy("rabbitmq");
        assertThat(rules(rabbit)).allSatisfy(rule -> assertThat(rule.getPorts())
                .extracting(V1NetworkPolicyPort::getPort).containsExactly(new IntOrString(5672)));
        assertThat(rules(rabbit)).flatExtracting(V1NetworkPolicyIngressRule::getFrom)
                .anySatisfy(peer -> {
                    assertThat(peer.getNamespaceSelector()).isNotNull();
                    assertThat(peer.getNamespaceSelector().getMatchLabels())
                            .containsEntry("kubernetes.io/metadata.name", "keda");
                })
                .anySatisfy(peer -> {
                    assertThat(peer.getPodSelector()).isNotNull();
                    assertThat(peer.getPodSelector().getMatchExpressions().get(0).getValues())
                            .containsExactlyInAnyOrder("gateway", "converter", "notifier");
                });
        assertThat(rules(policy("mongodb"))).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).extracting(V1NetworkPolicyPort::getPort)
                    .containsExactly(new IntOrString(27017));
            assertThat(rule.getFrom().get(0).getPodSelector().getMatchExpressions().get(0).getValues())
                    .containsExactlyInAnyOrder("auth", "gateway", "converter", "notifier");
        });
    }

    private static boolean isIngressController(V1NetworkPolicyPeer peer) {
        return peer.getNamespaceSelector() != null && peer.getNamespaceSelector().getMatchLabels() != null
                && "ingress-nginx".equals(peer.getNamespaceSelector().getMatchLabels()
                        .get("kubernetes.io/metadata.name"));
    }

    private static V1NetworkPolicy policy(String component) {
        return MANIFEST.get("NetworkPolicy", Chart.name(component), V1NetworkPolicy.class);
    }

    private static List<V1NetworkPolicyIngressRule> rules(V1NetworkPolicy policy) {
        return policy.getSpec().getIngress() == null ? List.of() : policy.getSpec().getIngress();
    }
}
