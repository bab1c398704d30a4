package dev.corral.pool.internal;

import dev.corral.pool.Exchange;

/**
 * One client request while Corral holds it: the exchange, its id and when it arrived.
 * Lives from {@code dispatch} until the exchange is ended; mutable fields are confined to the
 * thread that currently owns the request (queue hand-offs go through the group lock).
 */
final class RequestInfo {
    final Exchange exchange;
    final String id;
    final long arrivedNanos;
    /** The client's TCP connection, for noticing it close while queued; null if not TCP. */
    final ClientProbe.Connection connection;
    /** How many processes failed this request so far: a refused connect, or no answer to a replayable request. */
    int attempts;
    /** The sticky route the client presented (its process's cookie), or null. */
    String route;
    /** Nanos the request spent in the queue (0 when it was dispatched at once). */
    long queuedNanos;

    RequestInfo(Exchange exchange, String id, long arrivedNanos) {
        this.exchange = exchange;
        this.id = id;
        this.arrivedNanos = arrivedNanos;
        this.connection = exchange == null ? null : ClientProbe.Connection.of(exchange.serverSocket(), exchange.clientSocket());
    }

    String describe() {
        return exchange.method() + " " + exchange.rawTarget() + " (request " + id + ")";
    }
}
