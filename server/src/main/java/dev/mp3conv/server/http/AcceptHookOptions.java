package dev.mp3conv.server.http;

import java.net.Socket;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.helidon.common.socket.SocketOptions;

/**
 * Socket options that also tell of each accepted connection: Helidon applies a listener's connection
 * options to every socket it accepts, on its accepting thread and before it reads a byte, which is the
 * one place a connection can be seen (or turned away, by throwing) from its very start.
 */
final class AcceptHookOptions implements SocketOptions {
    private final SocketOptions base;
    private final Consumer<SocketChannel> accepted;

    AcceptHookOptions(SocketOptions base, Consumer<SocketChannel> accepted) {
        this.base = base;
        this.accepted = accepted;
    }

    @Override
    public void configureSocket(SocketChannel channel) {
        base.configureSocket(channel);
        accepted.accept(channel);
    }

    @Override
    public void configureSocket(Socket socket) {
        base.configureSocket(socket);
    }

    @Override
    public Map<SocketOption<?>, Object> socketOptions() {
        return base.socketOptions();
    }

    @Override
    public Duration connectTimeout() {
        return base.connectTimeout();
    }

    @Override
    public Duration readTimeout() {
        return base.readTimeout();
    }

    @Override
    public Optional<Integer> socketReceiveBufferSize() {
        return base.socketReceiveBufferSize();
    }

    @Override
    public Optional<Integer> socketSendBufferSize() {
        return base.socketSendBufferSize();
    }

    @Override
    public boolean socketReuseAddress() {
        return base.socketReuseAddress();
    }

    @Override
    public boolean socketKeepAlive() {
        return base.socketKeepAlive();
    }

    @Override
    public boolean tcpNoDelay() {
        return base.tcpNoDelay();
    }
}
