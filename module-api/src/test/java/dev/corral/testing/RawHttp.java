package dev.corral.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what {@code java.net.http} will not do: restricted headers
 * (Connection, Host), a client that goes away in the middle, and malformed or pipelined requests
 * on one kept-alive connection ({@link Connection}).
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** A parsed response: status, headers (lower-case names, last wins), body. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Opens a keep-alive connection on which requests are written as raw bytes and responses
     * read one at a time; every read gives up after {@code readTimeout} (a
     * {@link java.net.SocketTimeoutException}: the test fails rather than hangs).
     */
    public static Connection connect(URI base, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.setSoTimeout((int) readTimeout.toMillis());
        return new Connection(socket);
    }

    /** One client connection, used by one thread (the body of a request may be written by another). */
    public static final class Connection implements Closeable {
        private final Socket socket;
        private final BufferedInputStream in;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
        }

        public void send(String bytes) throws IOException {
            send(bytes.getBytes(StandardCharsets.ISO_8859_1));
        }

        public void send(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        /**
         * Reads the next response to a request other than HEAD (an interim 1xx one too), its body
         * framed as the server framed it: by Content-Length, chunked, or up to the close. Null if
         * the server closed (or reset) the connection before the response began; a timeout throws.
         */
        public Response next() throws IOException {
            String statusLine;
            try {
                statusLine = line();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                return null;   // reset: the server dropped the connection
            }
            if (statusLine == null) {
                return null;
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not a status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            String header;
            while ((header = line()) != null && !header.isEmpty()) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            if (header == null) {
                throw new IOException("the connection closed in the middle of a response head: " + statusLine + " " + headers);
            }
            if (status < 200 || status == 204 || status == 304) {
                return new Response(status, headers, "");
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                while (true) {
                    String size = line();
                    if (size == null) {
                        throw new IOException("the connection closed in the middle of a chunked body");
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        while ((header = line()) != null && !header.isEmpty()) {
                            // trailer fields: not needed
                        }
                        break;
                    }
                    body.write(in.readNBytes(n));
                    line();
                }
            } else if (headers.containsKey("content-length")) {
                int length = Integer.parseInt(headers.get("content-length"));
                byte[] bytes = in.readNBytes(length);
                if (bytes.length < length) {
                    throw new IOException("the connection closed after " + bytes.length + " of " + length + " body bytes");
                }
                body.write(bytes);
            } else {
                in.transferTo(body);
            }
            return new Response(status, headers, body.toString(StandardCharsets.ISO_8859_1));
        }

        /** A line without its CRLF (or bare LF); null at the end of the stream before any byte. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.append((char) b);
            }
            if (b < 0 && line.length() == 0) {
                return null;
            }
            int end = line.length();
            return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Opens a connection and sends a request head (and body, if any) without reading. */
    public static Socket open(URI base, String head) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return socket;
    }

    /**
     * A client that sends a request body far too slowly: {@code piece} bytes, then waits up to
     * {@code every} for the server's answer, and again, until the server answers or closes (then
     * its whole response is read) or {@code deadline} passes (an {@link IOException}: the test
     * fails rather than hangs). The wait for the answer is the pacing: no sleep.
     */
    public static Response trickle(Socket socket, int piece, Duration every, Duration deadline) throws IOException {
        BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
        byte[] bytes = new byte[piece];
        long until = System.nanoTime() + deadline.toNanos();
        socket.setSoTimeout((int) Math.max(1, every.toMillis()));
        while (System.nanoTime() < until) {
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException closed) {
                break;   // the server answered and closed: read its answer
            }
            in.mark(1);
            try {
                if (in.read() < 0) {
                    break;   // closed without a byte: read() below says so
                }
                in.reset();
                break;       // the answer began
            } catch (SocketTimeoutException stillWaiting) {
                // no answer within `every`: the next piece
            }
        }
        if (System.nanoTime() >= until) {
            throw new IOException("no answer within " + deadline + " to a body sent " + piece + " bytes every " + every);
        }
        socket.setSoTimeout((int) Math.max(1, (until - System.nanoTime()) / 1_000_000));
        return read(in);
    }

    /** Sends one request with {@code Connection: close} added and reads the whole response. */
    public static Response exchange(URI base, String method, String target, String... headerLines) throws IOException {
        StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean hasHost = false;
        for (String line : headerLines) {
            head.append(line).append("\r\n");
            hasHost |= line.regionMatches(true, 0, "Host:", 0, 5);
        }
        if (!hasHost) {
            head.append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = open(base, head.toString())) {
            return read(socket.getInputStream());
        }
    }

    /** Reads a response until the server closes the connection. */
    public static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete response head in: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, body);
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }
}
