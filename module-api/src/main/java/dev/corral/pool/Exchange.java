package dev.corral.pool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * One client request as the engine sees it: the container adapter (Jetty handler, Tomcat valve)
 * implements this over its own request and response, and the engine drives it.
 *
 * <p>Lifetime: created by the adapter when a request matches an app, handed to
 * {@link App#dispatch(Exchange)}, and ended by the engine exactly once, with {@link #succeed()},
 * {@link #fail(Throwable)} or, for a request that switches protocols, {@link #upgrade}. The engine may call the response methods from any thread, but
 * never from two threads at once.
 *
 * <p>Names follow the direction of travel: the adapter reads the client-to-proxy request and
 * writes the proxy-to-client response.
 */
public interface Exchange {

    /** The request method, e.g. {@code GET}. */
    String method();

    /** The request target as received: raw (still percent-encoded) path plus {@code ?query}. */
    String rawTarget();

    /** The raw path without the query, used to match an app's {@code pathPrefix}. */
    String rawPath();

    /** The client's protocol, e.g. {@code HTTP/1.1}. */
    String protocol();

    /** {@code http} or {@code https}, as the client connected. */
    String scheme();

    /** The {@code Host} the client asked for (may include a port), or {@code null}. */
    String host();

    /** The client's address as the container sees it. */
    String remoteAddr();

    /** Every request header, in order, repeated names included. */
    void forEachHeader(BiConsumer<String, String> action);

    /**
     * The first value of a request header ({@code name} in any case), or {@code null}. The
     * default looks through {@link #forEachHeader}; adapters answer from their own index.
     */
    default String header(String name) {
        String[] found = new String[1];
        forEachHeader((n, v) -> {
            if (found[0] == null && n.equalsIgnoreCase(name)) {
                found[0] = v;
            }
        });
        return found[0];
    }

    /**
     * Sets a request attribute for the container's access log (the names are in
     * {@link RequestAttributes}). Does nothing by default.
     */
    default void attribute(String name, Object value) {
    }

    /**
     * The request body length: {@code >= 0} when known ({@code 0} = no body), {@code -1} when the
     * client streams a body of unknown length (chunked).
     */
    long contentLength();

    /**
     * Why the container refused this request as malformed, or {@code null} if it did not. Tomcat
     * runs its valves even for a request it could not parse (a bad header line, conflicting
     * lengths), with its own error status already set, so that an error page can be written.
     * Such a request never reaches the app, which might find other request boundaries in it:
     * the engine ends the exchange with {@link #fail}, and the container sends its own answer.
     */
    default String containerRefusal() {
        return null;
    }

    /**
     * Whether Corral's own error answers to this exchange carry the failure's details (pids,
     * settings, the app's last output) whatever the app's {@code detailedErrors} says: true for a
     * caller in the same JVM ({@code AppClient}, whose exceptions are read by the operator's own
     * code), false for a network client, who sees status, reason code and request id only unless
     * the operator asked for more. False by default.
     */
    default boolean showsErrorDetails() {
        return false;
    }

    /** The request body, read with blocking calls. */
    InputStream requestBody() throws IOException;

    /**
     * Registers a listener that runs when the client goes away before the response is complete
     * (best effort: containers notice a closed connection only when they look at it).
     */
    void onClientGone(Runnable listener);

    /**
     * The client's end of the TCP connection, or {@code null} if unknown or not TCP. With
     * {@link #serverSocket()} it lets the engine notice a queued client that closed its
     * connection, which containers only see when they next read or write it.
     */
    default SocketAddress clientSocket() {
        return null;
    }

    /** The container's end of the client's TCP connection, or {@code null}. */
    default SocketAddress serverSocket() {
        return null;
    }

    /**
     * Asks the container, without blocking, whether the client has left. The engine's one probe
     * calls it for every queued request, from its own thread, about every 200 ms (besides reading
     * the kernel's TCP table with {@link #clientSocket()}), until the request leaves the queue; a
     * container that can look at a waiting connection itself answers here. False by default.
     */
    default boolean probeClientGone() {
        return false;
    }

    /**
     * Sends the status line and headers, then returns the stream for the response body. The
     * adapter frames the body itself: with {@code Content-Length} when the headers carry one,
     * chunked otherwise. Writes block until the client has taken the bytes (back-pressure).
     */
    OutputStream commit(int status, List<HttpHeader> headers) throws IOException;

    /** True once {@link #commit} was called. */
    boolean isCommitted();

    /**
     * Takes back a committed response whose bytes have not reached the client yet (the
     * container still buffers the head), so that an error response can replace it; false once
     * anything was sent, and then the response can only be cut off by {@link #fail}.
     */
    default boolean uncommit() {
        return false;
    }

    /**
     * Sends a complete small response (Corral's own error answers) and ends the exchange. A
     * container may send it without blocking, ending the exchange when the bytes are written;
     * the default commits, writes and calls {@link #succeed()}.
     */
    default void respond(int status, List<HttpHeader> headers, byte[] body) {
        try {
            OutputStream out = commit(status, headers);
            if (body.length > 0) {
                out.write(body);
            }
            succeed();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /**
     * Whether the container can hand this request's connection over to the engine after a
     * {@code 101 Switching Protocols} ({@link #upgrade}): an HTTP/1.1 connection of a container
     * that supports it. False by default; the engine then never forwards an {@code Upgrade}.
     */
    default boolean supportsUpgrade() {
        return false;
    }

    /**
     * Whether the client asks to switch protocols and the container can hand the connection
     * over: an HTTP/1.1 request with an {@code Upgrade} header and an {@code upgrade} token in
     * {@code Connection} (RFC 9110 7.8), other than {@code h2c} (an upgrade of the client's own
     * connection to HTTP/2, which is the container's business), and {@link #supportsUpgrade()}.
     * Such a request is forwarded with its {@code Upgrade}; if the app answers 101, the
     * connection becomes a tunnel ({@link #upgrade}).
     */
    default boolean upgradeRequested() {
        String upgrade = header("Upgrade");
        if (upgrade == null || upgrade.isBlank() || !"HTTP/1.1".equals(protocol())
                || upgrade.trim().toLowerCase(Locale.ROOT).startsWith("h2c")) {
            return false;
        }
        boolean[] token = {false};
        forEachHeader((name, value) -> {
            if (name.equalsIgnoreCase("Connection")) {
                for (String t : value.split(",")) {
                    token[0] |= t.trim().equalsIgnoreCase("upgrade");
                }
            }
        });
        return token[0] && supportsUpgrade();
    }

    /**
     * Answers the request with the app's {@code 101} ({@code headers} include {@code Upgrade}
     * and {@code Connection}) and hands the connection, from then on raw bytes both ways, to
     * {@code tunnel}: the adapter calls {@link Tunnel#opened} once the container has switched
     * it, or {@link Tunnel#clientClosed} if that failed. This ends the exchange: neither
     * {@link #succeed()} nor {@link #fail} follows (a late {@code fail} does nothing). Called
     * only when {@link #supportsUpgrade()}.
     */
    default void upgrade(int status, List<HttpHeader> headers, Tunnel tunnel) {
        throw new UnsupportedOperationException("this container cannot switch protocols");
    }

    /** Ends the exchange normally: the response is complete. */
    void succeed();

    /** Ends the exchange abnormally: the client connection is aborted if the response was committed. */
    void fail(Throwable cause);
}
