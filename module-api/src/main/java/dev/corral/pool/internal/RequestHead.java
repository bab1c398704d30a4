package dev.corral.pool.internal;

import dev.corral.pool.Exchange;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The request head as the app gets it, built as ISO-8859-1 bytes straight into a buffer that
 * its {@link AppConnection} keeps from one request to the next: no StringBuilder, no String, no
 * encoded copy per request (they were about half of what Corral allocated per proxied request,
 * docs/PERFORMANCE.md). A character above U+00FF becomes {@code ?}, as
 * {@code String.getBytes(ISO_8859_1)} made it. With {@code upgrade} (the client asked to switch
 * protocols, see {@link Exchange#upgradeRequested}) the client's {@code Upgrade} goes along, with
 * {@code Connection: Upgrade}: the two hop-by-hop headers a proxy passes on for the app to decide
 * (RFC 9110 7.8); every other hop-by-hop header is dropped as always.
 *
 * <p>Used by one thread at a time, as its connection is (one request at a time).
 */
final class RequestHead implements BiConsumer<String, String> {
    /** Hop-by-hop headers (RFC 9110 7.6.1) plus the ones Corral sets itself. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");
    private static final Set<String> REPLACED = Set.of("content-length", "expect", "x-forwarded-proto",
            "x-forwarded-host", "x-request-id");

    private byte[] bytes = new byte[1024];
    private int length;

    // the state of one build (reset by build)
    private final Set<String> connectionTokens = new HashSet<>();
    private boolean upgrade;
    private String forwardedFor;
    private String forwarded;
    private boolean hasHost;
    /** Collects the tokens of the request's Connection headers (made once, not per request). */
    private final BiConsumer<String, String> tokenCollector = this::connectionTokens;

    /** Builds the head of {@code request} with a body of {@code bodyLength} (-1: chunked) into this buffer. */
    RequestHead build(RequestInfo request, long bodyLength, boolean upgrade) {
        Exchange exchange = request.exchange;
        length = 0;
        connectionTokens.clear();
        this.upgrade = upgrade;
        forwardedFor = null;
        forwarded = null;
        hasHost = false;
        exchange.forEachHeader(tokenCollector);
        append(exchange.method()).append(' ').append(exchange.rawTarget()).append(" HTTP/1.1\r\n");
        exchange.forEachHeader(this);
        String host = exchange.host();
        if (!hasHost) {
            append("Host: ").append(host == null ? "localhost" : host).append("\r\n");
        }
        String client = exchange.remoteAddr();
        append("X-Forwarded-For: ");
        if (forwardedFor != null) {
            append(forwardedFor).append(", ");
        }
        append(client).append("\r\n");
        append("X-Forwarded-Proto: ").append(exchange.scheme()).append("\r\n");
        if (host != null) {
            append("X-Forwarded-Host: ").append(host).append("\r\n");
        }
        append("Forwarded: ");
        if (forwarded != null) {
            append(forwarded).append(", ");
        }
        append("for=");
        if (client.indexOf(':') >= 0) {
            append("\"[").append(client).append("]\"");
        } else {
            append(client);
        }
        if (host != null) {
            append(";host=\"").append(host).append('"');
        }
        append(";proto=").append(exchange.scheme()).append("\r\n");
        append("X-Request-Id: ").append(request.id).append("\r\n");
        if (upgrade) {
            append("Connection: Upgrade\r\n");
        }
        if (bodyLength > 0) {
            append("Content-Length: ").append(Long.toString(bodyLength)).append("\r\n");
        } else if (bodyLength < 0) {
            append("Transfer-Encoding: chunked\r\n");
        }
        append("\r\n");
        return this;
    }

    private void connectionTokens(String name, String value) {
        if (name.equalsIgnoreCase("connection")) {
            for (String token : value.split(",")) {
                connectionTokens.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
    }

    /** One header of the client's request: dropped, merged into a forwarding header, or copied. */
    @Override
    public void accept(String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (upgrade && lower.equals("upgrade")) {
            append(name).append(": ").append(value).append("\r\n");
            return;
        }
        if (HOP_BY_HOP.contains(lower) || REPLACED.contains(lower)
                || (!connectionTokens.isEmpty() && connectionTokens.contains(lower))) {
            return;
        }
        if (lower.equals("x-forwarded-for")) {
            forwardedFor = forwardedFor == null ? value : forwardedFor + ", " + value;
            return;
        }
        if (lower.equals("forwarded")) {
            forwarded = forwarded == null ? value : forwarded + ", " + value;
            return;
        }
        hasHost |= lower.equals("host");
        append(name).append(": ").append(value).append("\r\n");
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, length);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private RequestHead append(String value) {
        String s = String.valueOf(value);   // "null", as StringBuilder wrote it
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            bytes[length++] = c <= 0xFF ? (byte) c : (byte) '?';
        }
        return this;
    }

    private RequestHead append(char c) {
        ensure(1);
        bytes[length++] = c <= 0xFF ? (byte) c : (byte) '?';
        return this;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
