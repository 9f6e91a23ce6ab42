package dev.mp3conv.server.notify;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The address rules over many literal forms. Nothing here resolves a real name or connects anywhere:
 * literals are parsed without DNS, and names go to a fake resolver.
 */
class WebhookTargetsTest {
    private static final WebhookTargets.Policy STRICT = new WebhookTargets.Policy(false, false);
    private static final WebhookTargets.Policy HTTP = new WebhookTargets.Policy(true, false);
    private static final WebhookTargets.Policy LOCAL = new WebhookTargets.Policy(true, true);

    @ParameterizedTest
    @ValueSource(strings = {
        // loopback, private, CGNAT, in every notation a resolver might accept
        "http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0x7f.0.0.1/",
        "http://0177.0.0.1/", "http://017700000001/", "http://127.000.000.001/", "http://127.0.0.1./",
        "http://127.0.0.1.:80/", "http://10.0.0.1/", "http://010.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/",
        "http://192.168.0.1/", "http://100.64.0.1/", "http://100.127.255.254/", "http://localhost/",
        "http://LOCALHOST./", "http://api.localhost/",
        // link-local and cloud metadata
        "http://169.254.169.254/latest/meta-data", "http://0xa9fea9fe/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/",
        "http://[FE80::a:b:c:d]/",
        // this network, broadcast, reserved, multicast, benchmarking, documentation, IETF
        "http://0.0.0.0/", "http://0/", "http://0.1.2.3/", "http://255.255.255.255/", "http://240.0.0.1/",
        "http://224.0.0.1/", "http://239.255.255.250/", "http://198.18.0.1/", "http://198.19.255.255/",
        "http://192.0.2.1/", "http://198.51.100.7/", "http://203.0.113.9/", "http://192.0.0.8/", "http://192.88.99.1/",
        // IPv6: loopback, unspecified, mapped and compatible IPv4, NAT64, 6to4, Teredo, unique-local, multicast
        "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/", "http://[::127.0.0.1]/", "http://[::a9fe:a9fe]/",
        "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::1]/",
        "http://[2002:7f00:1::1]/", "http://[2002:a9fe:a9fe::]/", "http://[2001::1]/", "http://[2001:db8::1]/",
        "http://[2001:2::1]/", "http://[fd00::1]/", "http://[fc00::1]/", "http://[ff02::1]/", "http://[fec0::1]/",
        "http://[100::1]/", "http://[::ffff:0:7f00:1]/",
        // tricks: user info, percent-encoding, unicode digits, backslashes, odd hosts
        "http://a@127.0.0.1/", "http://hooks.example.com@127.0.0.1/", "http://user:pass@hooks.example.com/",
        "http://127.0.0.1#@hooks.example.com/", "http://hooks.example.com#frag", "http://%31%32%37.0.0.1/",
        "http://１２７.０.０.１/", "http://hooks.example.com\\@127.0.0.1/", "http://hooks..example.com/",
        "http://-hooks.example.com/", "http://hooks.example.com:0/", "http://hooks.example.com:99999/",
        "http:///path", "http:hooks.example.com", "http://[::1/", "http://[:::1]/", "http://exa mple.com/",
        "http://hooks.example.com.0x10/", "http://1.2.3.04/", "http://hooks.example.123/",
        // schemes
        "ftp://hooks.example.com/", "file:///etc/passwd", "gopher://hooks.example.com/", "jar:http://x/!/",
        "//hooks.example.com/", "hooks.example.com/path"})
    void refusedEvenWithPlainHttpAllowed(String url) {
        assertThatThrownBy(() -> WebhookTargets.parse(url, HTTP)).as(url).isInstanceOf(WebhookTargets.Refused.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/mp3", "https://HOOKS.Example.COM./a?b=c", "https://93.184.216.34/hook",
        "https://8.8.8.8:8443/x", "https://100.128.0.1/", "https://172.32.0.1/", "https://198.20.0.1/",
        "https://[2606:4700::1111]/", "https://[2a00:1450:4001:81d::200e]:443/", "https://[::ffff:93.184.216.34]/",
        "https://xn--bcher-kva.example/", "https://a-b.c-d.example/"})
    void publicTargetsAreAccepted(String url) throws Exception {
        assertThat(WebhookTargets.parse(url, STRICT)).isEqualTo(new URI(url));
    }

    @Test
    void allowHttpAllowsTheSchemeAndNothingMore() throws Exception {
        assertThatThrownBy(() -> WebhookTargets.parse("http://hooks.example.com/", STRICT))
                .hasMessageContaining("webhooks.allow-http");
        assertThat(WebhookTargets.parse("http://hooks.example.com/", HTTP)).hasHost("hooks.example.com");
        assertThatThrownBy(() -> WebhookTargets.parse("http://127.0.0.1/", HTTP)).hasMessageContaining("webhooks.allow-private");
    }

    @Test
    void allowPrivateAllowsLoopbackAndPrivateNetworksButNeverLinkLocalOrReserved() throws Exception {
        for (String url : List.of("http://127.0.0.1:8080/", "http://10.1.2.3/", "http://192.168.1.1/", "http://100.64.0.1/",
                "http://[::1]/", "http://[fd12::1]/", "http://localhost/", "http://[::ffff:10.0.0.1]/")) {
            assertThat(WebhookTargets.parse(url, LOCAL)).as(url).isNotNull();
        }
        for (String url : List.of("http://169.254.169.254/", "http://[fe80::1]/", "http://0.0.0.0/", "http://198.18.0.1/",
                "http://240.0.0.1/", "http://255.255.255.255/", "http://224.0.0.1/", "http://[64:ff9b::7f00:1]/",
                "http://[2002:7f00:1::]/", "http://[::127.0.0.1]/", "http://[::]/", "http://2130706433/")) {
            assertThatThrownBy(() -> WebhookTargets.parse(url, LOCAL)).as(url).isInstanceOf(WebhookTargets.Refused.class);
        }
    }

    @Test
    void aNameIsRefusedWhenAnyOfItsAddressesIsInternal() throws Exception {
        WebhookTargets.Resolver mixed = host -> new InetAddress[] {
            InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34}),
            InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
        assertThatThrownBy(() -> WebhookTargets.resolve("hooks.example.com", STRICT, mixed))
                .isInstanceOf(WebhookTargets.Refused.class);
        WebhookTargets.Resolver mapped = host -> new InetAddress[] {InetAddress.getByAddress(host,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254})};
        assertThatThrownBy(() -> WebhookTargets.resolve("hooks.example.com", LOCAL, mapped))
                .as("a mapped metadata address in an AAAA answer").isInstanceOf(WebhookTargets.Refused.class);
        WebhookTargets.Resolver nothing = host -> new InetAddress[0];
        assertThatThrownBy(() -> WebhookTargets.resolve("hooks.example.com", STRICT, nothing))
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void theAddressReturnedIsTheOneResolvedAndChecked() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        WebhookTargets.Resolver once = host -> new InetAddress[] {InetAddress.getByAddress(host,
                new byte[] {93, (byte) 184, (byte) 216, (byte) lookups.incrementAndGet()})};
        InetAddress chosen = WebhookTargets.resolve("hooks.example.com", STRICT, once);
        assertThat(lookups).hasValue(1);
        assertThat(chosen.getHostAddress()).isEqualTo("93.184.216.1");
        assertThat(chosen.getHostName()).as("the name stays with the address (TLS SNI)").isEqualTo("hooks.example.com");
        assertThat(WebhookTargets.resolve("::1", LOCAL, InetAddress::getAllByName).isLoopbackAddress())
                .as("an unbracketed IPv6 host as the HTTP client passes it").isTrue();
    }

    @Test
    void classifiesTheEdgesOfEachRange() throws Exception {
        assertThat(kind("100.63.255.255")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("100.64.0.0")).isEqualTo(WebhookTargets.Kind.PRIVATE);
        assertThat(kind("100.128.0.0")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("172.15.255.255")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("172.32.0.0")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("198.17.255.255")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("198.20.0.0")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("223.255.255.255")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("1.0.0.0")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("2001:200::1")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("2001:1ff::1")).isEqualTo(WebhookTargets.Kind.FORBIDDEN);
        assertThat(kind("3fff:ffff::1")).isEqualTo(WebhookTargets.Kind.PUBLIC);
        assertThat(kind("4000::1")).isEqualTo(WebhookTargets.Kind.FORBIDDEN);
        assertThat(kind("fbff::1")).isEqualTo(WebhookTargets.Kind.FORBIDDEN);
        assertThat(kind("fdff:ffff::1")).isEqualTo(WebhookTargets.Kind.PRIVATE);
    }

    private static WebhookTargets.Kind kind(String literal) throws UnknownHostException {
        return WebhookTargets.classify(InetAddress.getByName(literal));
    }
}
