package dev.mp3conv.chart;

import static dev.mp3conv.chart.Workloads.ROLES;
import static dev.mp3conv.chart.Workloads.deployment;
import static dev.mp3conv.chart.Workloads.effectiveEnv;
import static dev.mp3conv.chart.Workloads.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Credentials live in Secrets only, none has a working default, generated ones survive upgrades. */
class SecretsTest {
    /** Names of settings that are credentials, or carry them (connection strings). */
    private static final List<String> SENSITIVE = List.of("MONGODB_URI", "AMQP_URI", "AUTH_SIGNING_KEY",
            "AUTH_PREVIOUS_KEYS", "MP3CONV_ADMIN_EMAIL", "MP3CONV_ADMIN_PASSWORD", "SMTP_USERNAME", "SMTP_PASSWORD",
            "WEBHOOKS_SECRET_KEY");

    static Stream<String> shapes() {
        return Stream.of("", Scenarios.EXTERNAL_STORES, Scenarios.SMTP_AND_ADMIN, Scenarios.EXISTING_SECRETS,
                Scenarios.KEDA);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void sensitiveSettingsComeOnlyFromSecrets(String values) {
        Manifest manifest = Chart.render(values);

        for (String role : ROLES) {
            effectiveEnv(manifest, role).forEach((name, value) -> {
                if (SENSITIVE.contains(name)) {
                    assertThat(value).as("%s of %s", name, role).startsWith("secret:");
                }
            });
        }
        for (V1ConfigMap configMap : manifest.all("ConfigMap", V1ConfigMap.class)) {
            assertThat(configMap.getData().keySet()).as("keys of ConfigMap %s", configMap.getMetadata().getName())
                    .doesNotContainAnyElementsOf(SENSITIVE);
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void noSecretValueAppearsOutsideSecrets(String values) {
        Manifest manifest = Chart.render(values);
        List<String> secretValues = manifest.all("Secret", V1Secret.class).stream()
                .flatMap(secret -> secret.getData().values().stream())
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .filter(value -> value.length() >= 8)
                .toList();

        for (Manifest.Resource resource : manifest.resources()) {
            if (resource.kind().equals("Secret")) {
                continue;
            }
            String text = resource.json().toString();
            for (String secret : secretValues) {
                assertThat(text).as("%s must not contain a Secret's value", resource).doesNotContain(secret);
            }
        }
    }

    @Test
    void operatorSuppliedCredentialsAreStoredInSecretsOnly() {
        String rendered = Chart.renderText(Scenarios.SMTP_AND_ADMIN + Scenarios.EXTERNAL_STORES);
        Manifest manifest = Manifest.parse(rendered);

        // base64 in Secret data, absent in clear anywhere in the output
        assertThat(rendered).doesNotContain("s3cret");
        assertThat(secretData(manifest, "smtp")).containsEntry("password", "mail-s3cret-value")
                .containsEntry("username", "mailer");
        assertThat(secretData(manifest, "admin")).containsEntry("password", "admin-s3cret-value")
                .containsEntry("email", "admin@example.org");
        assertThat(secretData(manifest, "mongodb-external")).containsEntry("uri",
                "mongodb://mp3conv:s3cret-mongo@mongo.example.net:27017/?authSource=admin");
        assertThat(secretData(manifest, "rabbitmq-external")).containsEntry("uri",
                "amqps://mp3conv:s3cret-amqp@rabbit.example.net:5671/%2F");
        assertThat(manifest.find("StatefulSet", Chart.name("mongodb"))).isEmpty();
        assertThat(manifest.find("StatefulSet", Chart.name("rabbitmq"))).isEmpty();
        assertThat(effectiveEnv(manifest, "converter")).contains(
                entry("MONGODB_URI", "secret:" + Chart.name("mongodb-external") + "/uri"),
                entry("AMQP_URI", "secret:" + Chart.name("rabbitmq-external") + "/uri"));
    }

    @Test
    void existingSecretsAreReferencedAndNotCreated() {
        Manifest manifest = Chart.render(Scenarios.EXISTING_SECRETS);

        assertThat(manifest.ofKind("Secret")).isEmpty();
        assertThat(effectiveEnv(manifest, "auth")).contains(
                entry("AUTH_SIGNING_KEY", "secret:jwt-key/key.pem"),
                entry("MP3CONV_ADMIN_EMAIL", "secret:first-admin/email"),
                entry("MP3CONV_ADMIN_PASSWORD", "secret:first-admin/password"),
                entry("MONGODB_URI", "secret:mongo-creds/uri"));
        assertThat(effectiveEnv(manifest, "notifier")).contains(
                entry("SMTP_PASSWORD", "secret:smtp-creds/password"), entry("AMQP_URI", "secret:rabbit-creds/uri"),
                entry("WEBHOOKS_SECRET_KEY", "secret:hook-key/aes.key"));
        assertThat(effectiveEnv(manifest, "gateway")).contains(entry("WEBHOOKS_SECRET_KEY", "secret:hook-key/aes.key"));

        Manifest external = Chart.render(Scenarios.EXTERNAL_STORES_EXISTING_SECRETS);
        assertThat(effectiveEnv(external, "gateway")).contains(
                entry("MONGODB_URI", "secret:shared-mongo/connection-string"),
                entry("AMQP_URI", "secret:shared-rabbit/uri"));
    }

    @Test
    void installGeneratesAnEcP256SigningKeyAndRandomStorePasswords() throws Exception {
        Manifest first = Chart.render("");
        Manifest second = Chart.render("");

        String pem = secretData(first, "auth-signing-key").get("signing-key.pem");
        assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(ecKeyFieldSize(pem)).isEqualTo(256);
        assertThat(pem).isNotEqualTo(secretData(second, "auth-signing-key").get("signing-key.pem"));
        String webhookKey = secretData(first, "webhook-secret-key").get("webhook-secret.key");
        assertThat(java.util.Base64.getDecoder().decode(webhookKey)).as("AES-256 key").hasSize(32);
        assertThat(webhookKey).isNotEqualTo(secretData(second, "webhook-secret-key").get("webhook-secret.key"));
        for (String store : List.of("mongodb", "rabbitmq")) {
            String password = secretData(first, store).get("password");
            assertThat(password).as("%s password", store).matches("[A-Za-z0-9]{32}")
                    .isNotEqualTo(secretData(second, store).get("password"));
            assertThat(secretData(first, store).get("uri")).as("%s uri", store).contains(":" + password + "@");
        }
        assertThat(secretData(first, "mongodb").get("uri"))
                .isEqualTo("mongodb://root:" + secretData(first, "mongodb").get("password")
                        + "@" + Chart.name("mongodb") + ":27017/?authSource=admin");
        assertThat(secretData(first, "rabbitmq").get("uri"))
                .isEqualTo("amqp://mp3conv:" + secretData(first, "rabbitmq").get("password")
                        + "@" + Chart.name("rabbitmq") + ":5672/%2F");
    }

    @Test
    void upgradeKeepsTheSigningKeyAndStorePasswords() {
        Manifest installed = Chart.render("");
        Map<String, Map<String, String>> inCluster = new HashMap<>();
        for (String suffix : List.of("auth-signing-key", "webhook-secret-key", "mongodb", "rabbitmq")) {
            inCluster.put(Chart.name(suffix), secretData(installed, suffix));
        }

        Manifest upgraded = Chart.renderOver(inCluster, "");

        for (String suffix : List.of("auth-signing-key", "webhook-secret-key", "mongodb", "rabbitmq")) {
            assertThat(secretData(upgraded, suffix)).as(suffix).isEqualTo(secretData(installed, suffix));
        }
    }

    @Test
    void generatedSecretsSurviveUninstallWithTheirVolumes() {
        Manifest manifest = Chart.render("");

        for (String suffix : List.of("auth-signing-key", "webhook-secret-key", "mongodb", "rabbitmq")) {
            assertThat(manifest.get("Secret", Chart.name(suffix), V1Secret.class).getMetadata().getAnnotations())
                    .containsEntry("helm.sh/resource-policy", "keep");
        }
    }

    @Test
    void noPlainEnvValueCarriesACredential() {
        Manifest manifest = Chart.render(Scenarios.SMTP_AND_ADMIN);

        for (String role : ROLES) {
            env(deployment(manifest, role)).forEach((name, var) -> {
                if (SENSITIVE.contains(name)) {
                    assertThat(var.getValue()).as("plain value of %s in %s", name, role).isNull();
                    assertThat(var.getValueFrom().getSecretKeyRef()).as("%s in %s", name, role).isNotNull();
                }
            });
        }
    }

    private static Map<String, String> secretData(Manifest manifest, String suffix) {
        V1Secret secret = manifest.get("Secret", Chart.name(suffix), V1Secret.class);
        Map<String, String> data = new HashMap<>();
        secret.getData().forEach((key, bytes) -> data.put(key, new String(bytes, StandardCharsets.UTF_8)));
        return data;
    }

    /**
     * Field size of the EC key in a SEC1 ("EC PRIVATE KEY") PEM, read by wrapping it into
     * PKCS#8 the way a consumer of AUTH_SIGNING_KEY must when it gets this format.
     */
    private static int ecKeyFieldSize(String pem) throws Exception {
        byte[] sec1 = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        byte[] algorithm = {0x30, 0x13, 0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01,
            0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = derWrap((byte) 0x04, sec1);
        byte[] body = concat(version, algorithm, octets);
        byte[] pkcs8 = derWrap((byte) 0x30, body);
        ECPrivateKey key = (ECPrivateKey) KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        return key.getParams().getCurve().getField().getFieldSize();
    }

    private static byte[] derWrap(byte tag, byte[] content) {
        byte[] length = content.length < 128 ? new byte[] {(byte) content.length}
                : new byte[] {(byte) 0x81, (byte) content.length};
        return concat(new byte[] {tag}, length, content);
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        byte[] all = new byte[size];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
