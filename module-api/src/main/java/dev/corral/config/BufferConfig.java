package dev.corral.config;

import java.util.StringJoiner;

/**
 * How Corral keeps what an app sends while its client is slower to take it (Passenger's and
 * nginx's response buffering): so that a process is free as soon as the app has answered, however
 * slow its client. Immutable.
 *
 * @param responseBufferSize response bytes a client has not taken yet that are kept in memory;
 *                           beyond it, in a private temporary file
 * @param responseBufferMax  response bytes kept in all (memory and file) before the app waits for
 *                           its client; 0 = no buffering: the app writes at its client's pace
 */
public record BufferConfig(long responseBufferSize, long responseBufferMax) {
    public static final long DEFAULT_RESPONSE_BUFFER_SIZE = 128L << 10;
    public static final long DEFAULT_RESPONSE_BUFFER_MAX = 128L << 20;

    public BufferConfig {
        if (responseBufferSize < 0 || responseBufferMax < 0
                || (responseBufferMax > 0 && responseBufferSize > responseBufferMax)) {
            throw new IllegalArgumentException("invalid buffer settings: responseBufferSize=" + responseBufferSize
                    + ", responseBufferMax=" + responseBufferMax);
        }
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
                .toString();
    }
}
