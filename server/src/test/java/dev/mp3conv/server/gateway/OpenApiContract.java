package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.mp3conv.model.Json;

/**
 * Holds real HTTP exchanges to an OpenAPI 3.1 document: the route and method must be described, the
 * status must be one of the operation's responses, the content type one of that response's, the
 * body must validate against its schema (JSON Schema 2020-12 in the OpenAPI 3.1 dialect, checked by
 * networknt's json-schema-validator), required headers must be there and match theirs. A request the
 * server accepted must match its documented request body. Operations never exercised are reported
 * too, so the document cannot describe a route that no test has seen.
 */
final class OpenApiContract {
    private static final String BASE = "https://mp3conv.invalid/openapi.json";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> METHODS = Set.of("get", "head", "post", "put", "delete", "patch", "options");

    private final JsonNode document;
    private final SchemaRegistry schemas;
    private final List<Template> templates = new ArrayList<>();
    private final Set<String> exercised = new LinkedHashSet<>();

    /**
     * One request and what the server answered.
     *
     * @param method             HTTP method
     * @param path               path without the query
     * @param requestContentType content type of the request body, or null
     * @param requestBody        request body (empty when none)
     * @param status             response status
     * @param headers            response headers
     * @param body               response body
     */
    record Exchange(String method, String path, String requestContentType, byte[] requestBody, int status,
                    HttpHeaders headers, byte[] body) {
        @Override
        public String toString() {
            return method + " " + path + " → " + status;
        }
    }

    private record Template(String path, Pattern pattern, int literalLength) {
    }

    OpenApiContract(String yaml) throws IOException {
        this.document = YAML.readTree(yaml);
        String json = Json.mapper().writeValueAsString(document);
        this.schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(BASE, json)));
        for (Iterator<String> it = document.path("paths").fieldNames(); it.hasNext(); ) {
            String path = it.next();
            String regex = Pattern.quote(path).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
            templates.add(new Template(path, Pattern.compile(regex), path.replaceAll("\\{[^}/]+}", "").length()));
        }
    }

    /**
     * The document's version line.
     *
     * @return e.g. {@code 3.1.0}
     */
    String version() {
        return document.path("openapi").asText();
    }

    /**
     * What is wrong with one exchange.
     *
     * @param exchange the exchange
     * @return violations, empty when it matches the document
     */
    List<String> violations(Exchange exchange) {
        List<String> problems = new ArrayList<>();
        String where = exchange.toString();
        Template template = templates.stream().filter(t -> t.pattern().matcher(exchange.path()).matches())
                .max((a, b) -> Integer.compare(a.literalLength(), b.literalLength())).orElse(null);
        if (template == null) {
            problems.add(where + ": path not described");
            return problems;
        }
        String method = exchange.method().toLowerCase(Locale.ROOT);
        String operationPointer = "/paths/" + escape(template.path()) + "/" + method;
        JsonNode operation = document.at(operationPointer);
        if (operation.isMissingNode()) {
            problems.add(where + ": " + method + " not described for " + template.path());
            return problems;
        }
        exercised.add(method.toUpperCase(Locale.ROOT) + " " + template.path());
        if (exchange.status() < 300) {
            checkRequest(exchange, operationPointer, operation, problems);
        }
        String status = String.valueOf(exchange.status());
        String responsePointer = operationPointer + "/responses/" + status;
        if (document.at(responsePointer).isMissingNode()) {
            problems.add(where + ": status " + status + " not described (described: "
                    + fieldNames(operation.path("responses")) + ")");
            return problems;
        }
        responsePointer = resolve(responsePointer);
        JsonNode response = document.at(responsePointer);
        checkHeaders(exchange, responsePointer, response, problems);
        checkBody(exchange, responsePointer, response, problems);
        return problems;
    }

    /**
     * Operations of the document that no exchange has used yet.
     *
     * @return {@code METHOD /path} entries
     */
    List<String> unexercised() {
        List<String> missing = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : fieldNames(path.getValue())) {
                String operation = method.toUpperCase(Locale.ROOT) + " " + path.getKey();
                if (METHODS.contains(method) && !exercised.contains(operation)) {
                    missing.add(operation);
                }
            }
        }
        return missing;
    }

    private void checkRequest(Exchange exchange, String operationPointer, JsonNode operation, List<String> problems) {
        JsonNode requestBody = operation.path("requestBody");
        if (requestBody.isMissingNode()) {
            return;
        }
        boolean required = document.at(resolve(operationPointer + "/requestBody")).path("required").asBoolean(false);
        if (exchange.requestBody().length == 0 && !required) {
            return; // an optional body left out
        }
        String type = mediaType(exchange.requestContentType());
        String contentPointer = resolve(operationPointer + "/requestBody") + "/content/" + escape(type);
        if (document.at(contentPointer).isMissingNode()) {
            problems.add(exchange + ": request content type " + type + " not described");
            return;
        }
        if (type.endsWith("json")) {
            validate(exchange + " request", contentPointer + "/schema", parse(exchange.requestBody()), problems);
        }
    }

    private void checkHeaders(Exchange exchange, String responsePointer, JsonNode response, List<String> problems) {
        for (String name : fieldNames(response.path("headers"))) {
            String headerPointer = resolve(responsePointer + "/headers/" + escape(name));
            JsonNode header = document.at(headerPointer);
            List<String> values = exchange.headers().allValues(name);
            if (values.isEmpty()) {
                if (header.path("required").asBoolean(false)) {
                    problems.add(exchange + ": required header " + name + " missing");
                }
                continue;
            }
            for (String value : values) {
                validate(exchange + " header " + name, headerPointer + "/schema", TextNode.valueOf(value), problems);
            }
        }
    }

    private void checkBody(Exchange exchange, String responsePointer, JsonNode response, List<String> problems) {
        JsonNode content = response.path("content");
        boolean head = exchange.method().equalsIgnoreCase("HEAD");
        if (content.isMissingNode() || head) {
            if (exchange.body().length > 0) {
                problems.add(exchange + ": a body where none is described");
            }
            return;
        }
        String type = mediaType(exchange.headers().firstValue("Content-Type").orElse(null));
        String mediaPointer = responsePointer + "/content/" + escape(type);
        if (document.at(mediaPointer).isMissingNode()) {
            problems.add(exchange + ": content type " + type + " not described (described: " + fieldNames(content) + ")");
            return;
        }
        if (type.endsWith("json")) {
            validate(exchange.toString(), mediaPointer + "/schema", parse(exchange.body()), problems);
        } else if (type.equals("text/event-stream") && !document.at(mediaPointer + "/x-event-data").isMissingNode()) {
            String events = new String(exchange.body(), StandardCharsets.UTF_8);
            events.lines().filter(line -> line.startsWith("data:")).forEach(line -> validate(exchange + " event",
                    mediaPointer + "/x-event-data", parse(line.substring(5).strip().getBytes(StandardCharsets.UTF_8)),
                    problems));
        } else if (type.startsWith("text/")) {
            validate(exchange.toString(), mediaPointer + "/schema",
                    TextNode.valueOf(new String(exchange.body(), StandardCharsets.UTF_8)), problems);
        }
    }

    private void validate(String where, String pointer, JsonNode value, List<String> problems) {
        Schema schema = schemas.getSchema(SchemaLocation.of(BASE + "#" + pointer));
        schema.validate(value).forEach(error -> problems.add(where + ": " + error));
    }

    /** Follows {@code $ref}s of response, header and request body objects to the object itself. */
    private String resolve(String pointer) {
        String current = pointer;
        for (int i = 0; i < 10; i++) {
            JsonNode ref = document.at(current).path("$ref");
            if (ref.isMissingNode()) {
                return current;
            }
            current = ref.asText().substring(1);
        }
        throw new IllegalStateException("$ref loop at " + pointer);
    }

    private static JsonNode parse(byte[] json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            return TextNode.valueOf("not JSON: " + new String(json, StandardCharsets.UTF_8));
        }
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
