package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The head an app gets, built into a buffer that one connection reuses from request to request. */
class RequestHeadTest {

    @Test
    void aReusedBufferCarriesOnlyTheCurrentRequestsHead() {
        RequestHead head = new RequestHead();
        // a head longer than the buffer's first size, then a short one into the same buffer
        head.build(new RequestInfo(new FakeExchange("/long", "X-Big: " + "x".repeat(3000)), "r1", 0), 0, false);
        FakeExchange exchange = new FakeExchange("/a?b=c", "Host: example", "X-Forwarded-For: 10.0.0.1",
                "Connection: keep-alive, X-Secret", "X-Secret: s", "Accept: caf\u00e9 \u2603");

        String built = head.build(new RequestInfo(exchange, "r2", 0), 5, false).toString();

        assertEquals("GET /a?b=c HTTP/1.1\r\n"
                + "Host: example\r\n"
                + "Accept: caf\u00e9 ?\r\n"   // ISO-8859-1 as it was: a character above U+00FF becomes '?'
                + "X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n"
                + "X-Forwarded-Proto: http\r\n"
                + "X-Forwarded-Host: localhost\r\n"
                + "Forwarded: for=127.0.0.1;host=\"localhost\";proto=http\r\n"
                + "X-Request-Id: r2\r\n"
                + "Content-Length: 5\r\n"
                + "\r\n", built);
    }

    @Test
    void aChunkedBodyIsAnnouncedAndConnectionTokensOfAnEarlierRequestAreForgotten() {
        RequestHead head = new RequestHead();
        head.build(new RequestInfo(new FakeExchange("/", "Connection: X-Gone", "X-Gone: 1"), "r1", 0), 0, false);

        String built = head.build(new RequestInfo(new FakeExchange("/", "X-Gone: 2"), "r2", 0), -1, false).toString();

        assertEquals("GET / HTTP/1.1\r\n"
                + "X-Gone: 2\r\n"
                + "Host: localhost\r\n"
                + "X-Forwarded-For: 127.0.0.1\r\n"
                + "X-Forwarded-Proto: http\r\n"
                + "X-Forwarded-Host: localhost\r\n"
                + "Forwarded: for=127.0.0.1;host=\"localhost\";proto=http\r\n"
                + "X-Request-Id: r2\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "\r\n", built);
    }
}
