package dev.corral.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One client connection with a minimal HTTP/1.1 response reader, for the bench's own load
 * clients ({@link LoadClient}, {@link SoakLoad}): sends a request's bytes as given, reads the
 * status line and headers, and skips the body (Content-Length, chunked, or until close).
 * Confined to its thread.
 */
final class HttpConnection {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] line = new byte[8192];
    private final byte[] skip = new byte[64 * 1024];

    HttpConnection(InetSocketAddress address, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
        } catch (IOException e) {
            socket.close();
            throw new ConnectException(e.getMessage());
        }
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    Response exchange(byte[] request) throws IOException {
        try {
            out.write(request);
            out.flush();
        } catch (IOException e) {
            throw new WriteException(e);
        }
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        boolean http10 = statusLine.startsWith("HTTP/1.0");
        long length = -1;
        boolean chunked = false;
        boolean close = http10;
        boolean retryAfter = false;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close") || (http10 && !value.contains("keep-alive"));
                case "retry-after" -> retryAfter = true;
                default -> { }
            }
        }
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
            length = 0;
        }
        if (chunked) {
            while (true) {
                String size = readLine();
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                skipBytes(n);
                readLine();
            }
        } else if (length >= 0) {
            skipBytes(length);
        } else {
            while (in.read(skip) >= 0) {
                // body until the server closes
            }
            close = true;
        }
        return new Response(status, close, retryAfter);
    }

    private void skipBytes(long n) throws IOException {
        while (n > 0) {
            int read = in.read(skip, 0, (int) Math.min(skip.length, n));
            if (read < 0) {
                throw new EOFException("the connection closed in the middle of the body");
            }
            n -= read;
        }
    }

    private String readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed before a complete response");
            }
            if (b == '\n') {
                break;
            }
            if (n < line.length) {
                line[n++] = (byte) b;
            }
        }
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        return new String(line, 0, n, StandardCharsets.ISO_8859_1);
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * The kind of a failed exchange, as {@link LoadClient} and {@link SoakLoad} count it:
     * {@code connect}, {@code timeout}, {@code eof} (closed before a complete response),
     * {@code write}, {@code reset} or {@code io}.
     */
    static String kind(IOException e, HttpConnection connection) {
        if (connection == null || e instanceof ConnectException) {
            return "connect";
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout";
        }
        if (e instanceof EOFException) {
            return "eof";
        }
        if (e instanceof WriteException) {
            return "write";
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("reset") || message.contains("broken pipe") ? "reset" : "io";
    }

    /** A failure while sending the request (as opposed to reading the response). */
    private static final class WriteException extends IOException {
        WriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A response read: its status, whether the connection must close, and whether it had {@code Retry-After}. */
    record Response(int status, boolean close, boolean retryAfter) {
    }
}
