package dev.corral.client;

import dev.corral.pool.HttpHeader;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One HTTP request for an {@link AppClient}: method, target, headers, an optional body and an
 * optional timeout. Immutable; a request with a body from a stream can be sent once (the stream
 * is read as the request goes out), one with a byte body any number of times.
 *
 * <pre>{@code
 * AppRequest request = AppRequest.post("/predict")
 *         .header("Content-Type", "application/json")
 *         .body("{\"x\": 1}")
 *         .timeout(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
 */
public final class AppRequest {
    private final String method;
    private final String target;
    private final String host;
    private final List<HttpHeader> headers;
    private final byte[] bytes;
    private final InputStream stream;
    private final long length;
    private final Duration timeout;

    private AppRequest(Builder builder) {
        this.method = builder.method;
        this.target = builder.target;
        this.host = builder.host;
        this.headers = List.copyOf(builder.headers);
        this.bytes = builder.bytes;
        this.stream = builder.stream;
        this.length = builder.bytes != null ? builder.bytes.length : builder.stream != null ? builder.length : 0;
        this.timeout = builder.timeout;
    }

    /** A GET of {@code target} ({@code /path?query}). */
    public static AppRequest get(String target) {
        return builder("GET", target).build();
    }

    /** A builder for a POST of {@code target}. */
    public static Builder post(String target) {
        return builder("POST", target);
    }

    /** A builder for any method. */
    public static Builder builder(String method, String target) {
        return new Builder(method, target);
    }

    public String method() {
        return method;
    }

    /** The request target as sent to the app: the percent-encoded path and {@code ?query}. */
    public String target() {
        return target;
    }

    /** The path of the target, without its query. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** The {@code Host} the app sees, or null for {@code localhost}. */
    public String host() {
        return host;
    }

    public List<HttpHeader> headers() {
        return headers;
    }

    /** The first value of a header ({@code name} in any case), or null. */
    public String header(String name) {
        return HttpHeader.first(headers, name);
    }

    /** The body length: {@code 0} for none, {@code -1} for a stream of unknown length (sent chunked). */
    public long bodyLength() {
        return length;
    }

    /** The body to send. */
    InputStream openBody() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        return stream != null ? stream : InputStream.nullInputStream();
    }

    /**
     * How long the whole call may take, from sending to the last byte of the response body, or
     * null for no limit of its own (the app's {@code queueTimeout} and {@code maxRequestTime}
     * still apply).
     */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return method + " " + target;
    }

    /** Builds an {@link AppRequest}; every setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private final String method;
        private final String target;
        private String host;
        private final List<HttpHeader> headers = new ArrayList<>();
        private byte[] bytes;
        private InputStream stream;
        private long length;
        private Duration timeout;

        private Builder(String method, String target) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(target, "target");
            if (method.isEmpty() || !method.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("method [" + method + "] is not an HTTP token");
            }
            if (!target.startsWith("/") || !target.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException("target [" + target + "] must start with / and be percent-encoded"
                        + " (no spaces or control characters)");
            }
            this.method = method;
            this.target = target;
        }

        /** Adds a header (repeat the name to send several values). */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, "header value");
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
                throw new IllegalArgumentException("header name [" + name + "] is not an HTTP token");
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("the value of header [" + name + "] contains CR, LF or NUL");
            }
            headers.add(new HttpHeader(name, value));
            return this;
        }

        /** The {@code Host} the app sees (default {@code localhost}). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The body, as bytes. */
        public Builder body(byte[] body) {
            this.bytes = body.clone();
            this.stream = null;
            return this;
        }

        /** The body, as UTF-8 text. */
        public Builder body(String body) {
            return body(body.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * The body, read from {@code body} as the request goes out (so the request can be sent
         * once), and closed then.
         *
         * @param length its length in bytes, or -1 if unknown (sent chunked)
         */
        public Builder body(InputStream body, long length) {
            if (length < -1) {
                throw new IllegalArgumentException("body length must be >= -1 (-1 = unknown), but was [" + length + "]");
            }
            this.stream = Objects.requireNonNull(body, "body");
            this.length = length;
            this.bytes = null;
            return this;
        }

        /** How long the whole call may take (see {@link AppRequest#timeout()}). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be > 0, but was [" + timeout + "]");
            }
            this.timeout = timeout;
            return this;
        }

        public AppRequest build() {
            return new AppRequest(this);
        }
    }
}
