package dev.corral.pool.internal;

import dev.corral.pool.HttpHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@link Forwarder} that plays the app: by default it answers 200 with the pid of the process
 * that served the request; a test can script another outcome per path. Records every request it
 * forwarded, in order. Single-threaded.
 */
final class FakeForwarder implements Forwarder {
    final List<Session> forwarded = new ArrayList<>();
    private final Map<String, Function<Session, Outcome>> answers = new HashMap<>();

    /** Requests for {@code path} end with this outcome from now on. */
    void answer(String path, Function<Session, Outcome> outcome) {
        answers.put(path, outcome);
    }

    @Override
    public Outcome forward(Session session) {
        session.runPreviousEnd();
        forwarded.add(session);
        return answers.getOrDefault(session.request.exchange.rawPath(), FakeForwarder::ok).apply(session);
    }

    /** The app answers 200 with its pid. */
    static Outcome ok(Session session) {
        return answered(session, 200);
    }

    /** The app answers {@code status} with its pid. */
    static Outcome answered(Session session, int status) {
        var exchange = session.request.exchange;
        String pid = Long.toString(session.process.pid());
        try {
            exchange.commit(status, List.of(new HttpHeader("X-Pid", pid))).write(pid.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Outcome.Served(status, false, () -> {
            exchange.succeed();
            return null;
        });
    }
}
