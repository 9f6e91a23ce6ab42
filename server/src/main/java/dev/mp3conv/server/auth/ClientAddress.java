package dev.mp3conv.server.auth;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * The caller's address for login throttling. Behind an ingress every peer is the proxy, so a header the
 * proxy sets ({@code auth.login.client-address-header}, e.g. {@code X-Forwarded-For}) can be named; its
 * last entry is the one the trusted proxy appended, which a client cannot forge.
 */
final class ClientAddress {
    private final Optional<String> header;

    ClientAddress(Optional<String> header) {
        this.header = header;
    }

    String of(ServerRequest req) {
        Optional<String> forwarded = header.flatMap(name -> req.headers().first(HeaderNames.create(name)))
                .map(value -> value.substring(value.lastIndexOf(',') + 1).strip())
                .filter(value -> !value.isEmpty());
        if (forwarded.isPresent()) {
            return forwarded.get();
        }
        SocketAddress peer = req.remotePeer().address();
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(peer);
    }
}
