package dev.mp3conv.chart;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Validates a rendered object against the Kubernetes API: client-java-api's generated
 * {@code validateJsonElement} (rejects unknown fields and missing required ones) for built-in
 * kinds, explicit checks for the KEDA custom resources, and a failure for anything else.
 */
final class KubernetesModels {

    @FunctionalInterface
    private interface Validator {
        void validate(JsonElement json) throws IOException;
    }

    /** apiVersion + " " + kind → the model's validator. */
    private static final Map<String, Validator> VALIDATORS = Map.ofEntries(
            Map.entry("v1 ConfigMap", V1ConfigMap::validateJsonElement),
            Map.entry("v1 Secret", V1Secret::validateJsonElement),
            Map.entry("v1 Service", V1Service::validateJsonElement),
            Map.entry("v1 ServiceAccount", V1ServiceAccount::validateJsonElement),
            Map.entry("v1 Pod", V1Pod::validateJsonElement),
            Map.entry("apps/v1 Deployment", V1Deployment::validateJsonElement),
            Map.entry("apps/v1 StatefulSet", V1StatefulSet::validateJsonElement),
            Map.entry("networking.k8s.io/v1 Ingress", V1Ingress::validateJsonElement),
            Map.entry("networking.k8s.io/v1 NetworkPolicy", V1NetworkPolicy::validateJsonElement),
            Map.entry("policy/v1 PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement),
            Map.entry("autoscaling/v2 HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::validateJsonElement),
            Map.entry("keda.sh/v1alpha1 ScaledObject", KubernetesModels::validateScaledObject),
            Map.entry("keda.sh/v1alpha1 TriggerAuthentication", KubernetesModels::validateTriggerAuthentication));

    private KubernetesModels() {
    }

    static void validate(String apiVersion, String kind, String name, JsonObject json) {
        Validator validator = VALIDATORS.get(apiVersion + " " + kind);
        if (validator == null) {
            throw new AssertionError("rendered " + apiVersion + " " + kind + "/" + name
                    + " has no model to validate it against; add one to KubernetesModels");
        }
        try {
            validator.validate(json);
        } catch (IOException | IllegalArgumentException e) {
            throw new AssertionError(kind + "/" + name + " is not a valid " + apiVersion + " " + kind
                    + ": " + e.getMessage(), e);
        }
    }

    // KEDA 2.x ScaledObject (keda.sh/v1alpha1), fields as documented by KEDA.
    private static final Set<String> SCALED_OBJECT_SPEC = Set.of("scaleTargetRef", "pollingInterval",
            "cooldownPeriod", "initialCooldownPeriod", "idleReplicaCount", "minReplicaCount",
            "maxReplicaCount", "advanced", "triggers", "fallback");
    private static final Set<String> SCALE_TARGET_REF = Set.of("apiVersion", "kind", "name", "envSourceContainerName");
    private static final Set<String> TRIGGER = Set.of("type", "name", "metadata", "authenticationRef",
            "metricType", "useCachedMetrics");
    private static final Set<String> RABBITMQ_METADATA = Set.of("host", "hostFromEnv", "protocol", "queueName",
            "mode", "value", "activationValue", "vhostName", "useRegex", "excludeUnacknowledged", "pageSize",
            "operation", "timeout", "unsafeSsl");
    private static final Set<String> TRIGGER_AUTH_SPEC = Set.of("secretTargetRef", "env", "configMapTargetRef",
            "podIdentity", "hashiCorpVault", "azureKeyVault", "gcpSecretManager", "awsSecretManager");

    private static void validateScaledObject(JsonElement element) throws IOException {
        JsonObject object = customResource(element);
        JsonObject spec = object(object, "spec", "spec");
        onlyFields(spec, SCALED_OBJECT_SPEC, "spec");
        JsonObject target = object(spec, "scaleTargetRef", "spec.scaleTargetRef");
        onlyFields(target, SCALE_TARGET_REF, "spec.scaleTargetRef");
        nonEmptyString(target, "name", "spec.scaleTargetRef.name");
        int min = nonNegativeInt(spec, "minReplicaCount");
        int max = nonNegativeInt(spec, "maxReplicaCount");
        if (max < Math.max(1, min)) {
            throw new IOException("spec.maxReplicaCount " + max + " must be at least 1 and minReplicaCount " + min);
        }
        nonNegativeInt(spec, "pollingInterval");
        nonNegativeInt(spec, "cooldownPeriod");
        if (!spec.has("triggers") || !spec.get("triggers").isJsonArray() || spec.getAsJsonArray("triggers").isEmpty()) {
            throw new IOException("spec.triggers must be a non-empty list");
        }
        for (JsonElement t : spec.getAsJsonArray("triggers")) {
            if (!t.isJsonObject()) {
                throw new IOException("spec.triggers[] must be objects: " + t);
            }
            JsonObject trigger = t.getAsJsonObject();
            onlyFields(trigger, TRIGGER, "spec.triggers[]");
            String type = nonEmptyString(trigger, "type", "spec.triggers[].type");
            JsonObject metadata = object(trigger, "metadata", "spec.triggers[].metadata");
            for (Map.Entry<String, JsonElement> entry : metadata.entrySet()) {
                if (!entry.getValue().isJsonPrimitive() || !entry.getValue().getAsJsonPrimitive().isString()) {
                    throw new IOException("spec.triggers[].metadata." + entry.getKey() + " must be a string");
                }
            }
            if (trigger.has("authenticationRef")) {
                JsonObject ref = object(trigger, "authenticationRef", "spec.triggers[].authenticationRef");
                onlyFields(ref, Set.of("name", "kind"), "spec.triggers[].authenticationRef");
                nonEmptyString(ref, "name", "spec.triggers[].authenticationRef.name");
            }
            if (type.equals("rabbitmq")) {
                onlyFields(metadata, RABBITMQ_METADATA, "rabbitmq trigger metadata");
                nonEmptyString(metadata, "queueName", "rabbitmq trigger metadata.queueName");
                String mode = nonEmptyString(metadata, "mode", "rabbitmq trigger metadata.mode");
                if (!Set.of("QueueLength", "MessageRate").contains(mode)) {
                    throw new IOException("rabbitmq trigger mode must be QueueLength or MessageRate: " + mode);
                }
                String value = nonEmptyString(metadata, "value", "rabbitmq trigger metadata.value");
                if (!value.matches("[0-9]+(\\.[0-9]+)?")) {
                    throw new IOException("rabbitmq trigger value must be a number: " + value);
                }
                if (!metadata.has("host") && !metadata.has("hostFromEnv") && !trigger.has("authenticationRef")) {
                    throw new IOException("rabbitmq trigger needs host, hostFromEnv or an authenticationRef");
                }
            }
        }
    }

    private static void validateTriggerAuthentication(JsonElement element) throws IOException {
        JsonObject object = customResource(element);
        JsonObject spec = object(object, "spec", "spec");
        onlyFields(spec, TRIGGER_AUTH_SPEC, "spec");
        if (spec.isEmpty()) {
            throw new IOException("spec names no credential source");
        }
        if (spec.has("secretTargetRef")) {
            for (JsonElement r : spec.getAsJsonArray("secretTargetRef")) {
                JsonObject ref = r.getAsJsonObject();
                onlyFields(ref, Set.of("parameter", "name", "key"), "spec.secretTargetRef[]");
                nonEmptyString(ref, "parameter", "spec.secretTargetRef[].parameter");
                nonEmptyString(ref, "name", "spec.secretTargetRef[].name");
                nonEmptyString(ref, "key", "spec.secretTargetRef[].key");
            }
        }
    }

    private static JsonObject customResource(JsonElement element) throws IOException {
        if (!element.isJsonObject()) {
            throw new IOException("not an object");
        }
        JsonObject object = element.getAsJsonObject();
        onlyFields(object, Set.of("apiVersion", "kind", "metadata", "spec"), "");
        V1ObjectMeta.validateJsonElement(object(object, "metadata", "metadata"));
        nonEmptyString(object.getAsJsonObject("metadata"), "name", "metadata.name");
        return object;
    }

    private static void onlyFields(JsonObject object, Set<String> allowed, String where) throws IOException {
        for (String field : object.keySet()) {
            if (!allowed.contains(field)) {
                throw new IOException("unknown field `" + field + "` in " + (where.isEmpty() ? "the object" : where));
            }
        }
    }

    private static JsonObject object(JsonObject parent, String field, String path) throws IOException {
        JsonElement value = parent.get(field);
        if (value == null || !value.isJsonObject()) {
            throw new IOException(path + " is required and must be an object");
        }
        return value.getAsJsonObject();
    }

    private static String nonEmptyString(JsonObject parent, String field, String path) throws IOException {
        JsonElement value = parent.get(field);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()
                || value.getAsString().isEmpty()) {
            throw new IOException(path + " is required and must be a non-empty string");
        }
        return value.getAsString();
    }

    private static int nonNegativeInt(JsonObject parent, String field) throws IOException {
        JsonElement value = parent.get(field);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()
                || value.getAsDouble() != Math.floor(value.getAsDouble()) || value.getAsInt() < 0) {
            throw new IOException("spec." + field + " must be a non-negative integer");
        }
        return value.getAsInt();
    }
}
