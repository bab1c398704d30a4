package dev.corral.pool.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of RFC 6455's framing for Corral to close a WebSocket it relays cleanly: a
 * {@link Tracker} follows the frames of one direction without touching the bytes, so that a
 * close frame of Corral's own goes in only between two frames, and {@link #close} makes that
 * frame. Corral never looks into messages: extensions (compression) and fragmentation pass as
 * they are, since a frame's header is the same either way.
 */
final class WebSocketFrames {
    /** 1001: the endpoint is going away (its process retires, or the connection sat idle). */
    static final int GOING_AWAY = 1001;
    static final String GOING_AWAY_REASON = "going away";
    private static final int OPCODE_CLOSE = 0x8;

    private WebSocketFrames() {
    }

    /**
     * A close frame with {@code code} and {@code reason} (at most 123 bytes of UTF-8): unmasked
     * as a server sends it to its client, or masked with {@code mask} as a client must send it
     * to a server (RFC 6455 5.3).
     */
    static ByteBuffer close(int code, String reason, boolean masked, int mask) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        if (text.length > 123) {
            throw new IllegalArgumentException("a close reason has at most 123 bytes: " + reason);
        }
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        ByteBuffer frame = ByteBuffer.allocate(2 + (masked ? 4 : 0) + payload.length);
        frame.put((byte) (0x80 | OPCODE_CLOSE));
        frame.put((byte) ((masked ? 0x80 : 0) | payload.length));
        if (masked) {
            frame.putInt(mask);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= (byte) (mask >>> (8 * (3 - (i & 3))));
            }
        }
        return frame.put(payload).flip();
    }

    /**
     * Follows the frames of one direction of a WebSocket, chunk by chunk as they are relayed:
     * where a frame ends, and whether a close frame has passed. Reads what it is shown without
     * consuming it. Used by one thread at a time (the relaying thread of its direction, or the
     * closer under the same lock).
     */
    static final class Tracker {
        /** The bytes of the current frame's header seen so far (at most 14). */
        private final byte[] header = new byte[14];
        private int headerSeen;
        /** The header's whole length, once its first two bytes are known (0 before). */
        private int headerLength;
        /** Payload bytes of the current frame still to come, once its header is complete. */
        private long payloadLeft;
        private boolean inPayload;
        private boolean closing;
        private boolean closeSeen;

        /** Follows the bytes from {@code bytes}' position to its limit (the buffer is left as it was). */
        void track(ByteBuffer bytes) {
            int i = bytes.position();
            int end = bytes.limit();
            while (i < end) {
                if (inPayload) {
                    long take = Math.min(payloadLeft, end - i);
                    i += (int) take;
                    payloadLeft -= take;
                    if (payloadLeft == 0) {
                        frameEnded();
                    }
                    continue;
                }
                header[headerSeen++] = bytes.get(i++);
                if (headerSeen == 2) {
                    int length7 = header[1] & 0x7f;
                    headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
                }
                if (headerSeen >= 2 && headerSeen == headerLength) {
                    headerComplete();
                }
            }
        }

        private void headerComplete() {
            int length7 = header[1] & 0x7f;
            if (length7 == 126) {
                payloadLeft = ((header[2] & 0xffL) << 8) | (header[3] & 0xffL);
            } else if (length7 == 127) {
                long length = 0;
                for (int k = 2; k < 10; k++) {
                    length = (length << 8) | (header[k] & 0xffL);
                }
                payloadLeft = length & Long.MAX_VALUE;
            } else {
                payloadLeft = length7;
            }
            closing = (header[0] & 0x0f) == OPCODE_CLOSE;
            headerSeen = 0;
            headerLength = 0;
            if (payloadLeft == 0) {
                frameEnded();
            } else {
                inPayload = true;
            }
        }

        private void frameEnded() {
            inPayload = false;
            closeSeen |= closing;
            closing = false;
        }

        /** Whether the bytes so far end with a whole frame (or there were none): a frame may go in here. */
        boolean atBoundary() {
            return !inPayload && headerSeen == 0;
        }

        /** Whether a whole close frame has passed. */
        boolean closeSeen() {
            return closeSeen;
        }
    }
}
