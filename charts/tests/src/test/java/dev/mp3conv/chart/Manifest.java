package dev.mp3conv.chart;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.kubernetes.client.openapi.JSON;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The objects of one render. Parsing validates each object against its Kubernetes API
 * model (see {@link KubernetesModels}); an object that fails, or whose kind has no model,
 * fails the parse.
 */
record Manifest(List<Resource> resources) {

    /** One rendered object. */
    record Resource(String apiVersion, String kind, String name, JsonObject json) {
        /** Typed view through the client-java-api model (after validation). */
        <T> T as(Class<T> model) {
            return JSON.deserialize(json.toString(), model);
        }

        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }

    static Manifest parse(String renderedYaml) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Resource> resources = new ArrayList<>();
        for (Object document : yaml.loadAll(renderedYaml)) {
            if (document == null) {
                continue;
            }
            JsonElement element = toJson(document);
            if (!element.isJsonObject()) {
                throw new AssertionError("rendered document is not an object: " + element);
            }
            JsonObject object = element.getAsJsonObject();
            String apiVersion = string(object, "apiVersion");
            String kind = string(object, "kind");
            String name = object.getAsJsonObject("metadata").get("name").getAsString();
            KubernetesModels.validate(apiVersion, kind, name, object);
            resources.add(new Resource(apiVersion, kind, name, object));
        }
        return new Manifest(List.copyOf(resources));
    }

    List<Resource> ofKind(String kind) {
        return resources.stream().filter(r -> r.kind().equals(kind)).toList();
    }

    <T> List<T> all(String kind, Class<T> model) {
        return ofKind(kind).stream().map(r -> r.as(model)).toList();
    }

    Resource get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new NoSuchElementException(
                "no " + kind + "/" + name + " among " + resources));
    }

    <T> T get(String kind, String name, Class<T> model) {
        return get(kind, name).as(model);
    }

    Optional<Resource> find(String kind, String name) {
        return resources.stream().filter(r -> r.kind().equals(kind) && r.name().equals(name)).findFirst();
    }

    private static String string(JsonObject object, String field) {
        JsonElement value = object.get(field);
        if (value == null || !value.isJsonPrimitive()) {
            throw new AssertionError("rendered object without " + field + ": " + object);
        }
        return value.getAsString();
    }

    /** SnakeYAML's maps, lists and scalars as Gson elements; nulls are kept, not dropped. */
    private static JsonElement toJson(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof Map<?, ?> map) {
            JsonObject object = new JsonObject();
            map.forEach((key, child) -> object.add(String.valueOf(key), toJson(child)));
            return object;
        }
        if (value instanceof List<?> list) {
            JsonArray array = new JsonArray();
            list.forEach(child -> array.add(toJson(child)));
            return array;
        }
        if (value instanceof Boolean bool) {
            return new JsonPrimitive(bool);
        }
        if (value instanceof Number number) {
            return new JsonPrimitive(number);
        }
        if (value instanceof String text) {
            return new JsonPrimitive(text);
        }
        throw new AssertionError("unexpected YAML value " + value.getClass().getName() + ": " + value);
    }
}
