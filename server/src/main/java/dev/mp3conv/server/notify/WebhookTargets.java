package dev.mp3conv.server.notify;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Keeps webhooks from reaching into the operator's network (server-side request forgery): unless
 * {@code webhooks.allow-http} is on (local use), a webhook host must not resolve to internal addresses,
 * both when the URL is set and again before each call (the name may have been re-pointed since).
 */
final class WebhookTargets {
    private WebhookTargets() {
    }

    /**
     * Whether the URL's host resolves to any address inside a private network.
     *
     * @param url webhook URL
     * @return true when any address is loopback, private, link-local (cloud metadata), unique-local,
     *         CGNAT, wildcard or multicast; false for public addresses and for names that do not resolve
     *         now (a call to them fails on its own, and the check runs again before every call)
     */
    static boolean reachesInternal(URI url) {
        if (url.getHost() == null) {
            return true;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(url.getHost())) {
                if (!isPublic(address)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 16) {
            return (bytes[0] & 0xfe) != 0xfc; // fc00::/7 unique local
        }
        boolean carrierGradeNat = (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64; // 100.64.0.0/10
        return !carrierGradeNat && (bytes[0] & 0xff) != 0;
    }
}
