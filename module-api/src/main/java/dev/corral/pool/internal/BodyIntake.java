package dev.corral.pool.internal;

import dev.corral.pool.Exchange;

/**
 * What happens to a request's body before the request may take a process or a place in the
 * queue (Passenger's and nginx's request buffering): its declared length is checked against
 * {@code maxRequestBody}; with {@code bufferRequestBody} the whole body is read into a
 * {@link RequestBody} on the thread that owns the request, within {@code clientBodyTimeout}, so
 * that a slow upload holds no process; and a request whose answer does not depend on its body
 * (the app is stopping, draining, cannot start, or its queue is full) is answered at once instead
 * of waiting for a body it does not need.
 *
 * <p>Lifetime: its group's. Stateless; thread-safe.
 */
final class BodyIntake {
    private final Group group;

    BodyIntake(Group group) {
        this.group = group;
    }

    /**
     * Checks the body's declared length against {@code maxRequestBody}, and with
     * {@code bufferRequestBody} reads the whole body before the request may take a process (see
     * {@link RequestBody}). Returns the exchange to go on with, or null once the request was
     * answered (413, 408, or nothing for a client that left).
     */
    Exchange withWholeBody(Exchange exchange, String id) {
        dev.corral.config.BufferConfig buffers = group.config.buffers();
        long declared = exchange.contentLength();
        if (declared == 0 || exchange.containerRefusal() != null) {
            return exchange;
        }
        if (buffers.maxRequestBody() > 0 && declared > buffers.maxRequestBody()) {
            refuse(exchange, id, new Outcome.BodyTooLarge(declared));
            return null;
        }
        if (!buffers.bufferRequestBody()) {
            return exchange;
        }
        // what can be answered now is not kept waiting for a body it does not need
        Outcome.Failure early = group.read(() -> earlyAnswerLocked(group.engine.now()));
        if (early != null) {
            refuse(exchange, id, early);
            return null;
        }
        long now = group.engine.now();
        try {
            RequestBody body = RequestBody.read(exchange.requestBody(), buffers.maxRequestBody(),
                    buffers.responseBufferSize(), group.bufferDir(),
                    group.engine.services.clock(), now + buffers.clientBodyTimeout().toNanos());
            return new BufferedExchange(exchange, body);
        } catch (RequestBody.Refused refused) {
            refuse(exchange, id, refused.failure);
        } catch (java.io.IOException e) {
            refuse(exchange, id, new Outcome.ClientGone(false, "reading the request body failed: " + e.getMessage()));
        }
        return null;
    }

    /**
     * The answer a request gets whatever its body: the app is stopping, draining, cannot start a
     * process, or its queue is full with no free slot; null if none of these holds now.
     */
    private Outcome.Failure earlyAnswerLocked(long now) {
        assert group.holdsLock();
        if (group.stopped) {
            return new Outcome.ShuttingDown();
        } else if (group.draining()) {
            return new Outcome.Draining();
        } else if (group.spawning.givenUpLocked(now)) {
            return new Outcome.SpawnFailed(group.counters.lastError, group.counters.lastSpawnOutput);
        } else if (group.queueLooksFull()) {
            return new Outcome.QueueFull("queued=" + group.queuedHint());
        }
        return null;
    }

    /** Answers a request that never took a process nor a place in the queue, counted as dispatch counts it. */
    private void refuse(Exchange exchange, String id, Outcome.Failure failure) {
        RequestInfo request = new RequestInfo(exchange, id, group.engine.now());
        if (failure instanceof Outcome.QueueFull) {
            group.counters.rejected.increment();
        } else {
            try (Change change = group.change()) {
                group.counters.failed++;
            }
        }
        FailureMapper.answer(group, request, failure, null);
        if (failure instanceof Outcome.QueueFull) {
            group.events.rejected(group.engine.now());
        }
    }
}
