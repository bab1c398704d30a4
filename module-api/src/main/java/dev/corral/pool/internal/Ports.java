package dev.corral.pool.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks loopback ports for apps that listen on TCP ({@code listen=tcp}). */
final class Ports {
    private Ports() {
    }

    /** A port that was free a moment ago; the app binds it soon after. */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port: " + e.getMessage(), e);
        }
    }
}
