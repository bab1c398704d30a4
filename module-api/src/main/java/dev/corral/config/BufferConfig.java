package dev.corral.config;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * How Corral keeps a request's body and its response while the client is slow (Passenger's and
 * nginx's buffering both ways): so that a process is taken only once the request is complete, and
 * is free as soon as the app has answered, however slow its client. Immutable.
 *
 * @param responseBufferSize response bytes a client has not taken yet that are kept in memory
 *                           (and the part of a request body kept in memory); beyond it, in a
 *                           private temporary file
 * @param responseBufferMax  response bytes kept in all (memory and file) before the app waits for
 *                           its client; 0 = no buffering: the app writes at its client's pace
 * @param bufferRequestBody  whether a request's body is read completely before a process is taken
 * @param maxRequestBody     the largest request body accepted (413 over it); 0 = no limit
 * @param clientBodyTimeout  the time a client has to send its whole body (408 past it)
 * @param bufferDir          where the temporary files go (made 0700 if missing), or null for
 *                           {@code <runDir>/buffers}
 */
public record BufferConfig(long responseBufferSize, long responseBufferMax, boolean bufferRequestBody,
                           long maxRequestBody, Duration clientBodyTimeout, java.nio.file.Path bufferDir) {
    public static final long DEFAULT_RESPONSE_BUFFER_SIZE = 128L << 10;
    public static final long DEFAULT_RESPONSE_BUFFER_MAX = 128L << 20;
    public static final boolean DEFAULT_BUFFER_REQUEST_BODY = true;
    public static final long DEFAULT_MAX_REQUEST_BODY = 100L << 20;
    public static final Duration DEFAULT_CLIENT_BODY_TIMEOUT = Duration.ofSeconds(60);

    public BufferConfig {
        if (responseBufferSize < 0 || responseBufferMax < 0
                || (responseBufferMax > 0 && responseBufferSize > responseBufferMax) || maxRequestBody < 0
                || clientBodyTimeout == null || clientBodyTimeout.isNegative() || clientBodyTimeout.isZero()) {
            throw new IllegalArgumentException("invalid buffer settings: responseBufferSize=" + responseBufferSize
                    + ", responseBufferMax=" + responseBufferMax + ", maxRequestBody=" + maxRequestBody
                    + ", clientBodyTimeout=" + clientBodyTimeout);
        }
    }

    /** Response buffering only (the request settings at their defaults). */
    public BufferConfig(long responseBufferSize, long responseBufferMax) {
        this(responseBufferSize, responseBufferMax, DEFAULT_BUFFER_REQUEST_BODY, DEFAULT_MAX_REQUEST_BODY,
                DEFAULT_CLIENT_BODY_TIMEOUT, null);
    }

    public static BufferConfig ofDefaults() {
        return new BufferConfig(DEFAULT_RESPONSE_BUFFER_SIZE, DEFAULT_RESPONSE_BUFFER_MAX);
    }

    /** Whether responses are buffered at all. */
    public boolean buffersResponses() {
        return responseBufferMax > 0;
    }

    @Override
    public String toString() {
        return new StringJoiner(", ")
                .add("responseBufferSize=" + Sizes.format(responseBufferSize))
                .add("responseBufferMax=" + Sizes.format(responseBufferMax))
                .add("bufferRequestBody=" + bufferRequestBody)
                .add("maxRequestBody=" + Sizes.format(maxRequestBody))
                .add("clientBodyTimeout=" + Durations.format(clientBodyTimeout))
                .add("bufferDir=" + (bufferDir == null ? "" : bufferDir))
                .toString();
    }
}
