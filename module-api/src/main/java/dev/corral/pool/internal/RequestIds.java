package dev.corral.pool.internal;

/**
 * The {@code X-Request-Id} rule: a client's id is kept when it is printable ASCII (no control
 * characters; HTTP has trimmed the value's ends) and at most {@value #MAX_LENGTH} characters;
 * otherwise, or when there is none, Corral makes one ({@link Engine#nextRequestId}). The id
 * goes to the app, back to the client on every response and into the log lines. Stateless.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    /** The client's id if it may be kept, else null. */
    static String fromClient(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
        }
        return value;
    }
}
