package dev.mp3conv.server.notify;

import java.net.InetAddress;
import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookTargetsTest {
    @Test
    void internalAddressesAreRefused() throws Exception {
        for (String internal : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                "0.0.0.0", "100.64.0.1", "224.0.0.1", "::1", "fd00::1", "fe80::1"}) {
            assertThat(WebhookTargets.isPublic(InetAddress.getByName(internal))).as(internal).isFalse();
        }
        assertThat(WebhookTargets.reachesInternal(URI.create("https://127.0.0.1:8443/hook"))).isTrue();
        assertThat(WebhookTargets.reachesInternal(URI.create("https://[::1]/hook"))).isTrue();
        assertThat(WebhookTargets.reachesInternal(URI.create("https://localhost/hook"))).isTrue();
        assertThat(WebhookTargets.reachesInternal(URI.create("https://169.254.169.254/latest/meta-data"))).isTrue();
    }

    @Test
    void publicAddressesAreAccepted() throws Exception {
        for (String external : new String[] {"93.184.216.34", "8.8.8.8", "100.128.0.1", "2606:4700::1111"}) {
            assertThat(WebhookTargets.isPublic(InetAddress.getByName(external))).as(external).isTrue();
        }
        assertThat(WebhookTargets.reachesInternal(URI.create("https://93.184.216.34/hook"))).isFalse();
        assertThat(WebhookTargets.reachesInternal(URI.create("https://no-such-host.invalid/hook")))
                .as("unresolvable now: the call fails on its own, and is checked again before it").isFalse();
    }
}
