package dev.mp3conv.server.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;

/**
 * A real HTTP client for an in-process server, and the way the auth ITs start one.
 */
final class AuthHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    AuthHttp(Mp3convServer server) {
        this.base = URI.create("http://127.0.0.1:" + server.port());
    }

    /** Starts a server with only the auth role on ephemeral ports, data under {@code dir}. */
    static Mp3convServer start(Path dir, Map<String, String> settings) {
        Map<String, String> overrides = new HashMap<>(Map.of(
                "app.data-dir", dir.toString(),
                "app.roles", "auth",
                "server.port", "0",
                "server.host", "127.0.0.1",
                "admin.port", "0",
                "admin.host", "127.0.0.1"));
        overrides.putAll(settings);
        return Mp3convServer.start(Settings.load(Map.of(), overrides));
    }

    HttpResponse<String> postJson(String path, Object body, String... headers) {
        try {
            return send(request(path, headers).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> putJson(String path, Object body, String... headers) {
        try {
            return send(request(path, headers).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Any method, any body (e.g. a multipart upload), with the given headers. */
    HttpResponse<String> send(String method, String path, byte[] body, String... headers) {
        return send(request(path, headers).method(method, HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    HttpResponse<String> post(String path, String... headers) {
        return send(request(path, headers).POST(HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    HttpResponse<String> getWithToken(String path, String token) {
        return get(path, "Authorization", "Bearer " + token);
    }

    /** Registers a user and returns a token for them. */
    String registerAndLogIn(String email, String password) {
        HttpResponse<String> created = postJson("/api/v1/users", Map.of("email", email, "password", password));
        if (created.statusCode() != 201) {
            throw new IllegalStateException("registration failed: " + created.statusCode() + " " + created.body());
        }
        return token(email, password);
    }

    String token(String email, String password) {
        HttpResponse<String> token = postJson("/api/v1/auth/token", Map.of("email", email, "password", password));
        if (token.statusCode() != 200) {
            throw new IllegalStateException("login failed: " + token.statusCode() + " " + token.body());
        }
        return json(token).get("access_token").asText();
    }

    static String basic(String email, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((email + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
