package dev.mp3conv.chart;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small accessors over rendered workloads, so assertions read as what they check. */
final class Workloads {
    static final List<String> ROLES = List.of("auth", "gateway", "converter", "notifier");

    private Workloads() {
    }

    static V1Deployment deployment(Manifest manifest, String role) {
        return manifest.get("Deployment", Chart.name(role), V1Deployment.class);
    }

    static V1Container container(V1Deployment deployment) {
        List<V1Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            throw new AssertionError(deployment.getMetadata().getName() + " should run one container: " + containers);
        }
        return containers.get(0);
    }

    /** The container's explicit env entries by name. */
    static Map<String, V1EnvVar> env(V1Deployment deployment) {
        Map<String, V1EnvVar> env = new LinkedHashMap<>();
        List<V1EnvVar> list = container(deployment).getEnv();
        if (list != null) {
            list.forEach(e -> env.put(e.getName(), e));
        }
        return env;
    }

    /**
     * What the container sees: the role ConfigMap's entries (plain values) plus its explicit env
     * (plain values, or "secret:<name>/<key>" for Secret references).
     */
    static Map<String, String> effectiveEnv(Manifest manifest, String role) {
        V1Deployment deployment = deployment(manifest, role);
        Map<String, String> env = new LinkedHashMap<>();
        var envFrom = container(deployment).getEnvFrom();
        if (envFrom != null) {
            envFrom.forEach(source -> {
                if (source.getConfigMapRef() == null) {
                    throw new AssertionError("unexpected envFrom source " + source);
                }
                var configMap = manifest.get("ConfigMap", source.getConfigMapRef().getName(),
                        V1ConfigMap.class);
                env.putAll(configMap.getData());
            });
        }
        env(deployment).forEach((name, var) -> {
            if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                var ref = var.getValueFrom().getSecretKeyRef();
                env.put(name, "secret:" + ref.getName() + "/" + ref.getKey());
            } else if (var.getValueFrom() != null) {
                env.put(name, "ref:" + var.getValueFrom());
            } else {
                env.put(name, var.getValue());
            }
        });
        return env;
    }
}
