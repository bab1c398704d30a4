package dev.corral.pool.internal;

import dev.corral.config.Durations;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The production {@link HealthProbe}: a non-blocking connect to the process's socket and, with
 * a health path, {@code GET <path>} whose status line jetty-http's {@link HttpParser} reads (the
 * rest of the answer is not waited for). Runs on a blocking-executor thread. Thread-safe.
 */
final class SocketHealthProbe implements HealthProbe {
    private final LongSupplier clock;

    SocketHealthProbe(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public String check(AppProcess process, String healthPath, Duration timeout) {
        long deadline = clock.getAsLong() + timeout.toNanos();
        String limit = Durations.format(timeout);
        try (SocketChannel channel = SocketChannel.open(process.socket != null
                ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
             Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_CONNECT);
            if (!channel.connect(process.socketAddress()) && !await(selector, deadline, channel::finishConnect)) {
                return "timeout " + limit + " connecting";
            }
            if (healthPath == null) {
                return null;
            }
            ByteBuffer request = ByteBuffer.wrap(("GET " + healthPath + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "User-Agent: corral-health-check\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            channel.register(selector, SelectionKey.OP_WRITE);
            while (request.hasRemaining()) {
                if (!await(selector, deadline, () -> true)) {
                    return "timeout " + limit + " writing the check";
                }
                channel.write(request);
            }
            StatusLine status = new StatusLine();
            HttpParser parser = new HttpParser(status);
            ByteBuffer response = ByteBuffer.allocate(512);
            channel.register(selector, SelectionKey.OP_READ);
            while (status.code == 0 && status.bad == null) {
                if (!await(selector, deadline, () -> true)) {
                    return "timeout " + limit + " waiting for " + healthPath;
                }
                response.clear();
                int read = channel.read(response);
                if (read < 0) {
                    return "connection closed before a status line for " + healthPath;
                }
                response.flip();
                while (response.hasRemaining() && status.code == 0 && status.bad == null) {
                    parser.parseNext(response);
                }
            }
            if (status.bad != null) {
                return "not an HTTP answer to " + healthPath + " (" + status.bad + ")";
            }
            return status.code >= 200 && status.code < 400 ? null : "status " + status.code + " for " + healthPath;
        } catch (IOException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    /** Takes the status code from the parser and stops it there. */
    private static final class StatusLine implements HttpParser.ResponseHandler {
        int code;
        String bad;

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            code = status;
        }

        @Override
        public void parsedHeader(HttpField field) {
        }

        @Override
        public boolean headerComplete() {
            return true;
        }

        @Override
        public boolean content(ByteBuffer item) {
            return true;
        }

        @Override
        public boolean contentComplete() {
            return true;
        }

        @Override
        public boolean messageComplete() {
            return true;
        }

        @Override
        public void earlyEOF() {
        }

        @Override
        public void badMessage(HttpException failure) {
            bad = failure.getReason();
        }
    }

    private interface Ready {
        boolean done() throws IOException;
    }

    /** Waits for the registered operation, then asks {@code ready}; false on timeout. */
    private boolean await(Selector selector, long deadline, Ready ready) throws IOException {
        while (true) {
            long left = (deadline - clock.getAsLong()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            if (selector.select(left) > 0) {
                selector.selectedKeys().clear();
                if (ready.done()) {
                    return true;
                }
            }
        }
    }
}
