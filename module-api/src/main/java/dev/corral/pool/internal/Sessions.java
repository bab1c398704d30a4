package dev.corral.pool.internal;

import dev.corral.config.Durations;
import dev.corral.pool.Exchange;
import dev.corral.pool.RequestAttributes;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The request path of one app (Passenger's SessionManagement): a request takes a slot on a
 * process now or waits in the queue ({@link #dispatch}); a slot's session is forwarded and ends
 * exactly once with its {@link Outcome} ({@link #end}), which frees the slot for the oldest
 * waiting request, or becomes a tunnel when the app switches protocols ({@link Tunnels}, which
 * ends it later); and {@code maxRequestTime} kills a process whose request runs too long.
 *
 * <p>Threads: a request that gets a slot at once is forwarded on the container's thread; one
 * taken from the queue on an engine thread, which goes on with whatever its freed slot takes
 * next (no thread hop). Methods ending in {@code Locked} need the group lock.
 */
final class Sessions {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    private final Group group;

    Sessions(Group group) {
        this.group = group;
    }

    /** See {@link dev.corral.pool.App#dispatch}. */
    void dispatch(Exchange clientExchange) {
        String clientId = RequestIds.fromClient(clientExchange.header(RequestIds.HEADER));
        String id = clientId != null ? clientId : group.engine.nextRequestId();
        clientExchange.attribute(RequestAttributes.APP, group.name());
        clientExchange.attribute(RequestAttributes.REQUEST_ID, id);
        Exchange exchange = group.intake.withWholeBody(clientExchange, id);
        if (exchange == null) {
            return;   // answered: too large, too slow, or the client left
        }
        RequestInfo request = new RequestInfo(exchange, id, group.engine.now());
        if (group.config.routing().stickySessions()) {
            request.route = StickyRoute.read(exchange, group.config.routing().stickyCookie());
        }
        if (request.route == null && group.queueLooksFull()) {
            // a full queue and no free slot a moment ago: reject without queueing on the lock behind
            // every other request of this storm (the state may change meanwhile, as it may while waiting)
            group.counters.rejected.increment();
            FailureMapper.answer(group, request, new Outcome.QueueFull("queued=" + group.queuedHint()), null);
            group.events.rejected(group.engine.now());
            return;
        }
        Session session = null;
        Waiter waiter = null;
        Outcome.Failure reject = null;
        try (Change change = group.change()) {
            AppProcess home = request.route == null ? null : group.router.sticky(group.processes.all, request.route);
            if (group.stopped) {
                reject = new Outcome.ShuttingDown();
            } else if (group.draining()) {
                reject = new Outcome.Draining();
            } else if (home != null) {
                // sticky: its process now, or that process's own queue
                session = home.freeSlots(group.config.concurrency()) > 0 ? startLocked(home, request, change) : null;
            } else {
                session = acquireLocked(request, null, change);
            }
            if (session == null && reject == null) {
                if (home == null && group.spawning.givenUpLocked(change.now)) {
                    reject = new Outcome.SpawnFailed(group.counters.lastError, group.counters.lastSpawnOutput);
                } else if (group.waiting.sizeLocked() >= group.config.maxQueue()) {
                    reject = new Outcome.QueueFull(group.countsLocked());
                    group.counters.rejected.increment();
                } else {
                    waiter = group.waiting.addLocked(request, home, change.now);
                    group.spawning.spawnIfNeededLocked(change);
                }
            }
            if (reject != null && !(reject instanceof Outcome.QueueFull)) {
                group.counters.failed++;
            }
        }
        if (reject != null) {
            FailureMapper.answer(group, request, reject, null);
            if (reject instanceof Outcome.QueueFull) {
                group.events.rejected(group.engine.now());
            }
        } else if (waiter != null) {
            Waiter queued = waiter;
            exchange.onClientGone(() -> group.clientGone(queued));
        } else {
            // the container's thread forwards its own request; what the freed slot hands over goes
            // to an engine thread, because the container cannot read the client's next request on
            // this connection until this thread returns
            Session next = forwardAndEnd(session, false);
            if (next != null) {
                group.engine.services.forwardExecutor().execute(() -> runOnEngineThread(next));
            }
        }
    }

    /** On an engine thread: forwards, then serves whatever the freed slot hands over. */
    void runOnEngineThread(Session session) {
        Session next = session;
        while (next != null) {
            next = forwardAndEnd(next, true);
        }
    }

    /**
     * Forwards the session's request and ends the session. With {@code overlap} (an engine
     * thread that forwards one session after another), a held-back response goes to its client
     * only once the freed slot's next request (without a body) has gone out to the app: the app
     * starts on it at once instead of waiting ({@link Session#previousEnd}).
     *
     * @return the next session this thread should forward (the freed slot's next request), or null
     */
    private Session forwardAndEnd(Session session, boolean overlap) {
        Outcome outcome;
        try {
            outcome = group.engine.services.forwarder().forward(session);
        } catch (RuntimeException e) {
            // Corral's own fault, not the app's: the slot must still be freed
            LOG.log(Level.ERROR, "forwarding " + session.request.describe() + " to " + session.process + " failed", e);
            outcome = new Outcome.Broken(String.valueOf(e));
        } finally {
            session.runPreviousEnd();
        }
        if (outcome instanceof Outcome.Upgraded upgraded) {
            // the session lives on as a tunnel, which ends it; the slot stays taken meanwhile
            group.tunnels.open(session, upgraded);
            return null;
        }
        Session next = end(session, outcome);
        if (outcome instanceof Outcome.Served served) {
            Runnable deliver = () -> {
                Outcome.Failure failure = served.deliver().deliver();
                if (failure != null) {
                    FailureMapper.answer(group, session.request, failure, session.process);
                }
            };
            if (served.held() && overlap && next != null && next.request.exchange.contentLength() == 0) {
                next.previousEnd = deliver;
            } else {
                deliver.run();
            }
        }
        return next;
    }

    /**
     * The least busy process other than {@code exclude} gets a session for the request, or null.
     * A busy process may take it as one more (prefetch) only when nothing waits in the app's
     * queue: the queue is served oldest first.
     */
    Session acquireLocked(RequestInfo request, AppProcess exclude, Change change) {
        assert group.holdsLock();
        int capacity = group.waiting.appSizeLocked() == 0 ? group.prefetch.capacityLocked(request) : group.config.concurrency();
        AppProcess best = group.router.choose(group.processes.all, capacity, exclude,
                group.config.routing().slowStart().toNanos(), change.now);
        return best == null ? null : startLocked(best, request, change);
    }

    /** Takes a slot on {@code process}; arms maxRequestTime. */
    Session startLocked(AppProcess process, RequestInfo request, Change change) {
        assert group.holdsLock();
        process.sessions++;
        process.lastUsedNanos = change.now;
        if (request.attempts == 0) {
            group.counters.queueWaits.record(request.queuedNanos, change.now);
        }
        Session session = new Session(process, request, change.now);
        group.prefetch.startedLocked(session, change.now);
        process.active.add(session);
        Duration limit = group.config.recycle().maxRequestTime();
        if (!limit.isZero()) {
            session.deadline = group.engine.services.scheduler().schedule(() -> requestTooLong(session), limit.toNanos());
        }
        return session;
    }

    /** The app's queue goes to processes with free slots (or prefetch room for its head); engine threads forward. */
    void serveQueueLocked(Change change) {
        assert group.holdsLock();
        Waiter head;
        AppProcess free;
        while ((head = group.waiting.peekLocked()) != null
                && (free = group.router.choose(group.processes.all, group.prefetch.capacityLocked(head.request), null, 0,
                        change.now)) != null) {
            Waiter waiter = group.waiting.pollLocked(change.now);
            change.forward(startLocked(free, waiter.request, change));
        }
    }

    /** The waiting request that {@code process}'s freed slot takes (or its prefetch room, for a request that may wait), or null. */
    private Waiter nextForLocked(AppProcess process, long now) {
        Waiter head = group.waiting.peekForLocked(process);
        if (head == null || process.freeSlots(group.prefetch.capacityLocked(head.request)) <= 0) {
            return null;
        }
        return group.waiting.pollForLocked(process, now);
    }

    /**
     * Ends a session with its outcome, exactly once (a second end returns null): the slot is
     * freed and counted, the process judged (errorLimit, maxRequests, a cut response, a failed
     * connect), and a failure answered. A connect that failed before any request byte was sent
     * tries another process, or waits at the front of the queue, up to {@code retries} times.
     *
     * @return the session this thread should forward next: the freed slot's oldest waiting
     *         request, or the retry of this one; null when none
     */
    Session end(Session session, Outcome outcome) {
        if (!session.end()) {
            return null;
        }
        AppProcess process = session.process;
        RequestInfo request = session.request;
        Session next = null;
        Outcome.Failure answer = outcome instanceof Outcome.Failure failure ? failure : null;
        String retrying = null;
        int attempt = 0;   // the retry's number, read under the lock: the retry may run, and fail, once it is released
        boolean connectFailed = outcome instanceof Outcome.ConnectFailed;
        boolean unanswered = outcome instanceof Outcome.Cut cut && cut.status() == 0;
        // a request whose process died without answering it is not sent again if the process had
        // it: it may be what killed it (a "query of death" would take every process down)
        OsProcess os = process.os;
        boolean dying = (connectFailed || outcome instanceof Outcome.Cut) && os != null && os.isDying();
        boolean replay = connectFailed || (unanswered && replayable(request.exchange)
                && (!dying || !session.requestDelivered));
        try (Change change = group.change()) {
            freeSlotLocked(session, change.now);
            group.prefetch.endedLocked(session, outcome instanceof Outcome.Served, change.now);
            if (replay) {
                // evidence against the process, not a verdict (HAProxy): the request tries another
                // process, or waits at the front of the queue, up to `retries` times
                String error = connectFailed ? "connect failed: " + ((Outcome.ConnectFailed) outcome).error()
                        : "closed the connection before answering";
                request.attempts++;
                attempt = request.attempts + 1;
                group.errorLocked(process + ": " + error);
                suspectLocked(process, error, connectFailed ? Retirement.Kind.CONNECT_FAILED : Retirement.Kind.CUT_SHORT,
                        dying, change);
                if (request.attempts > group.config.routing().retries() || group.stopped) {
                    group.counters.failed++;
                } else {
                    answer = null;
                    retrying = error;
                    // another process whenever one is free, else the front of the queue
                    if ((next = acquireLocked(request, process, change)) == null) {
                        Waiter waiter = group.waiting.addLocked(request, null, change.now);
                        change.after(() -> request.exchange.onClientGone(() -> group.clientGone(waiter)));
                    }
                }
                // the suspect stays in service: its freed slot takes the oldest waiting request
                // (this one again only when no other process is free)
                serveQueueLocked(change);
                group.spawning.spawnIfNeededLocked(change);
            } else {
                boolean servedByApp = outcome instanceof Outcome.Served
                        || (outcome instanceof Outcome.ClientGone gone && gone.appAnswered());
                if (servedByApp) {
                    group.counters.served++;
                    process.answered++;
                } else {
                    group.counters.failed++;
                }
                if (outcome instanceof Outcome.Served served) {
                    group.health.countErrorLocked(process, served.status() >= 500, "status " + served.status(), change);
                } else if (outcome instanceof Outcome.ResponseTimedOut) {
                    // counts like a 5xx of its own (errorLimit); the process is kept and its slot
                    // freed, though it may still work on the request it got: HAProxy's `timeout
                    // server` just closes too, and maxRequestTime is the bound that kills
                    group.health.countErrorLocked(process, true, "no answer within responseTimeout", change);
                } else if (outcome instanceof Outcome.Cut) {
                    suspectLocked(process, unanswered ? "closed the connection before answering" : "cut a response short",
                            Retirement.Kind.CUT_SHORT, dying, change);
                }
                group.recycling.recycleIfWornLocked(process, change);
                Waiter waiter = process.takesRequests() ? nextForLocked(process, change.now) : null;
                if (waiter != null) {
                    next = startLocked(process, waiter.request, change);
                }
                if (group.prefetch.mostSessions() > group.config.concurrency()) {
                    serveQueueLocked(change);   // prefetch room the queue's head may take (here or on another process)
                }
                group.processes.stopIfDrainedLocked(process, change);
            }
        }
        if (retrying != null && outcome instanceof Outcome.ConnectFailed connect) {
            LOG.log(Level.WARNING, "connect to {0} failed for {1}: {2}; trying another process (attempt {3} of {4})",
                    process, request.describe(), connect.error(), attempt, group.config.routing().retries() + 1);
        } else if (retrying != null) {
            LOG.log(Level.WARNING, "{0} {1} {2}: trying another process (attempt {3} of {4})", process, retrying,
                    request.describe(), attempt, group.config.routing().retries() + 1);
        } else if (outcome instanceof Outcome.ConnectFailed connect) {
            LOG.log(Level.WARNING, "connect to {0} failed for {1}: {2}", process, request.describe(), connect.error());
        }
        if (answer != null) {
            FailureMapper.answer(group, request, answer, process);
        }
        return next;
    }

    /**
     * A failed connect or an unanswered request is evidence against a process, not a verdict: it
     * counts towards {@code errorLimit} and asks for a health check at once; the process is
     * retired only when it is really gone (its app has exited or is exiting, see
     * {@link OsProcess#isDying}, or its socket file is missing).
     * A transient failure (a full listen backlog in a burst, an injected fault) costs a retry,
     * never the process, and never the app.
     */
    private void suspectLocked(AppProcess process, String error, Retirement.Kind kind, boolean dying, Change change) {
        assert group.holdsLock();
        group.health.countErrorLocked(process, true, error, change);
        if (dying && !process.expectsExit()) {
            process.diedOnItsOwn = true;
        }
        if (!process.takesRequests()) {
            group.processes.stopIfDrainedLocked(process, change);
            return;
        }
        boolean socketGone = process.socket != null && !java.nio.file.Files.exists(process.socket);
        if (dying || socketGone) {
            group.processes.disableLocked(process, Routing.DRAINING, new Retirement(kind, error
                    + (dying ? " as it exited" : "; its socket " + process.socket + " was gone")), change);
        } else {
            group.checker.checkSoonLocked(process, change);
        }
    }

    /**
     * Whether a request may be sent again after a process closed the connection without an
     * answer: an idempotent method (RFC 9110 9.2.2) and no body (a streamed body is not kept).
     * nginx's {@code proxy_next_upstream error} and HAProxy's {@code retry-on empty-response}.
     */
    static boolean replayable(Exchange exchange) {
        if (exchange.contentLength() != 0) {
            return false;
        }
        return switch (exchange.method()) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    private void freeSlotLocked(Session session, long now) {
        assert group.holdsLock();
        AppProcess process = session.process;
        process.sessions--;
        process.active.remove(session);
        process.processed++;
        process.lastUsedNanos = now;
        if (session.deadline != null) {
            session.deadline.cancel();
        }
    }

    /** maxRequestTime: the request's process is killed (uWSGI's harakiri); its client gets 504. */
    private void requestTooLong(Session session) {
        AppProcess process = session.process;
        String reason = "killed: " + session.request.describe() + " ran longer than maxRequestTime="
                + Durations.format(group.config.recycle().maxRequestTime());
        try (Change change = group.change()) {
            if (!process.active.contains(session) || session.tunnel != null) {
                return;   // ended, or became a tunnel (no maxRequestTime) as the timer fired
            }
            session.timedOut = true;
            Retirement killed = new Retirement(Retirement.Kind.TIMED_OUT, reason);
            if (process.takesRequests()) {
                group.processes.disableLocked(process, Routing.DRAINING, killed, change);
            } else {
                process.retirement = killed;
            }
        }
        LOG.log(Level.WARNING, "{0} {1}", process, reason);
        group.engine.services.blockingExecutor().execute(() -> ProcessStopper.kill(process));
    }
}
