package dev.mp3conv.server.notify;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps webhooks from reaching into the operator's network (server-side request forgery). A webhook
 * URL is parsed strictly (absolute http(s), no user info, no fragment, an ASCII host name or a
 * canonical IP literal: the decimal, octal, hex and shortened IPv4 forms other resolvers accept, zone
 * ids and percent-encoding are refused rather than interpreted), and every address its host stands for
 * is classified:
 * <ul>
 *   <li>public: global unicast; always allowed;</li>
 *   <li>private: loopback, RFC 1918, CGNAT (100.64/10), IPv6 unique-local (fc00::/7); allowed only with
 *       {@code webhooks.allow-private} (local use);</li>
 *   <li>forbidden whatever the settings: unspecified, link-local (cloud metadata at 169.254.169.254),
 *       multicast, broadcast and reserved (240/4), benchmarking (198.18/15), documentation,
 *       IETF-assigned (192.0.0/24, 2001::/23 with Teredo), 6to4 (2002::/16, 192.88.99/24), NAT64
 *       (64:ff9b::/96, 64:ff9b:1::/48), IPv4-compatible IPv6 (::/96), discard-only (100::/64), deprecated
 *       site-local (fec0::/10), and all IPv6 outside 2000::/3. IPv4-mapped IPv6 counts as its IPv4.</li>
 * </ul>
 * {@code webhooks.allow-http} only allows the http scheme. A name is checked when the URL is set and
 * again at each call, where the checked address is the one connected to ({@link WebhookSender}).
 */
final class WebhookTargets {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0x[0-9a-f]*");
    private static final Pattern CANONICAL_IPV4 =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]+");

    /** Who may be called. */
    record Policy(boolean allowHttp, boolean allowPrivate) {
    }

    /** What a target address is. */
    enum Kind { PUBLIC, PRIVATE, FORBIDDEN }

    /** Looks names up; the JDK's resolver in production. */
    @FunctionalInterface
    interface Resolver {
        /** Every address of a name (or the one address of a literal). */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A URL or an address that may not be called; the message is meant for the user who set it. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private WebhookTargets() {
    }

    /**
     * Parses a webhook URL as a user sent it and checks everything that needs no name lookup.
     *
     * @param text   the URL
     * @param policy what the settings allow
     * @return the URL
     * @throws Refused naming what is wrong
     */
    static URI parse(String text, Policy policy) throws Refused {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new Refused("url is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(policy.allowHttp() && scheme.equals("http"))) {
            throw new Refused(policy.allowHttp() ? "url must be an absolute http or https URL"
                    : "url must be an absolute https URL (plain http needs webhooks.allow-http)");
        }
        if (uri.isOpaque() || uri.getRawAuthority() == null || uri.getHost() == null) {
            throw new Refused("url must name a host (letters, digits, '-', or a canonical IP address)");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("url must not contain user info ('user@')");
        }
        if (uri.getRawFragment() != null) {
            throw new Refused("url must not contain a fragment ('#')");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new Refused("url has an invalid port");
        }
        String host = host(uri.getHost());
        if (literal(host)) {
            try {
                check(InetAddress.getByName(host), policy);
            } catch (UnknownHostException e) {
                throw new Refused("url host is not a valid IP address");
            }
        } else if (host.equals("localhost") || host.endsWith(".localhost")) {
            check(InetAddress.getLoopbackAddress(), policy);
        }
        return uri;
    }

    /**
     * The lower-case host without brackets or one trailing dot, refused unless it is an ASCII DNS name
     * or a canonical IP literal.
     */
    static String host(String raw) throws Refused {
        String host = raw.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.contains(":")) {
            if (host.contains("%")) {
                throw new Refused("url must not name an IPv6 zone ('%')");
            }
            if (!IPV6_LITERAL.matcher(host).matches()) {
                throw new Refused("url host is not a valid IPv6 address");
            }
            return host;
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.isEmpty() || host.length() > 253) {
            throw new Refused("url host is empty or too long");
        }
        String[] labels = host.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw new Refused("url host must be an ASCII DNS name (punycode for others) or an IP address");
            }
        }
        // as browsers read it, a host whose last label is a number is an IPv4 address: only the dotted form is taken
        if (NUMERIC_LABEL.matcher(labels[labels.length - 1]).matches() && !CANONICAL_IPV4.matcher(host).matches()) {
            throw new Refused("url host must be a dotted-decimal IPv4 address without leading zeros (a.b.c.d)");
        }
        return host;
    }

    private static boolean literal(String host) {
        return host.contains(":") || CANONICAL_IPV4.matcher(host).matches();
    }

    /**
     * Resolves a host once and checks every address it has; the caller connects to the one returned.
     *
     * @param host     host of a parsed URL (brackets allowed)
     * @param policy   what the settings allow
     * @param resolver name lookup
     * @return the first address, checked
     * @throws Refused       when any address may not be called (one bad address is enough: an attacker
     *                       can mix them)
     * @throws UnknownHostException when the name does not resolve
     */
    static InetAddress resolve(String host, Policy policy, Resolver resolver) throws Refused, UnknownHostException {
        String name = host(host);
        InetAddress[] addresses = resolver.resolve(name);
        if (addresses.length == 0) {
            throw new UnknownHostException(name);
        }
        for (InetAddress address : addresses) {
            check(address, policy);
        }
        return addresses[0];
    }

    static void check(InetAddress address, Policy policy) throws Refused {
        Kind kind = classify(address);
        if (kind == Kind.FORBIDDEN || kind == Kind.PRIVATE && !policy.allowPrivate()) {
            throw new Refused("url must point at a public address, not into a private or reserved network"
                    + (kind == Kind.PRIVATE ? " (private targets need webhooks.allow-private)" : ""));
        }
    }

    static Kind classify(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return classifyV4(b, 0);
        }
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        if (zeroPrefix && u(b[10]) == 0xff && u(b[11]) == 0xff) {
            return classifyV4(b, 12); // ::ffff:a.b.c.d, however it was written
        }
        if (zeroPrefix && b[10] == 0 && b[11] == 0) {
            boolean loopback = true;
            for (int i = 12; i < 15; i++) {
                loopback &= b[i] == 0;
            }
            return loopback && b[15] == 1 ? Kind.PRIVATE : Kind.FORBIDDEN; // ::1, or ::/96 (unspecified, compatible)
        }
        int first = u(b[0]);
        if ((first & 0xfe) == 0xfc) {
            return Kind.PRIVATE; // fc00::/7 unique local
        }
        if ((first & 0xe0) != 0x20) {
            return Kind.FORBIDDEN; // outside 2000::/3: link-local, site-local, multicast, 64:ff9b::, 100::, reserved
        }
        int second = u(b[1]);
        int word0 = first << 8 | second;
        int word1 = u(b[2]) << 8 | u(b[3]);
        if (word0 == 0x2002 || word0 == 0x2001 && word1 < 0x0200 || word0 == 0x2001 && word1 == 0x0db8) {
            return Kind.FORBIDDEN; // 6to4, IETF protocol assignments (Teredo, benchmarking), documentation
        }
        return Kind.PUBLIC;
    }

    private static Kind classifyV4(byte[] b, int at) {
        int a = u(b[at]);
        int c = u(b[at + 1]);
        int d = u(b[at + 2]);
        if (a == 10 || a == 127 || a == 172 && (c & 0xf0) == 16 || a == 192 && c == 168 || a == 100 && (c & 0xc0) == 64) {
            return Kind.PRIVATE;
        }
        boolean forbidden = a == 0 || a >= 224 // this network, multicast, reserved and broadcast
                || a == 169 && c == 254 // link-local
                || a == 198 && (c & 0xfe) == 18 // benchmarking
                || a == 192 && c == 0 && (d == 0 || d == 2) // IETF protocol assignments, TEST-NET-1
                || a == 192 && c == 88 && d == 99 // 6to4 relay anycast
                || a == 198 && c == 51 && d == 100 // TEST-NET-2
                || a == 203 && c == 0 && d == 113; // TEST-NET-3
        return forbidden ? Kind.FORBIDDEN : Kind.PUBLIC;
    }

    private static int u(byte value) {
        return value & 0xff;
    }
}
