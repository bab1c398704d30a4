package dev.corral.pool.internal;

import dev.corral.config.StatusConfig;
import dev.corral.pool.AppStatus;
import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's status endpoints under {@code statusPath}: the scoreboard for people
 * ({@link StatusPage}), its JSON ({@code ?format=json}), Prometheus metrics
 * ({@code /metrics}, {@link Metrics}), and the probes {@code /ready} (see {@link Availability}) and
 * {@code /live}. Only
 * clients in {@code statusAllow} are answered (others get 403 and a log line); a status request is
 * never queued behind an app nor forwarded to one. Every number comes from the apps'
 * {@link AppStatus}, as JMX's do. Thread-safe.
 */
final class StatusEndpoints {
    private static final System.Logger LOG = System.getLogger("dev.corral.status");

    private final Pool pool;
    private final StatusConfig config;

    StatusEndpoints(Pool pool, StatusConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** Whether a request for {@code rawPath} is a status request (never an app's). */
    boolean handles(String rawPath) {
        String path = config.path();
        return path != null && rawPath != null && rawPath.startsWith(path)
                && (rawPath.length() == path.length() || rawPath.charAt(path.length()) == '/');
    }

    /** One app's status as the endpoints use it. */
    record View(Group group, AppStatus status) {
    }

    /** Answers a status request (see {@link #handles}). */
    void serve(Exchange exchange) {
        String clientId = RequestIds.fromClient(exchange.header(RequestIds.HEADER));
        String id = clientId != null ? clientId : pool.nextRequestId();
        InetAddress client = clientAddress(exchange);
        if (!config.allows(client)) {
            LOG.log(Level.WARNING, "status request {0} {1} from {2} refused: not in statusAllow={3}", exchange.method(),
                    exchange.rawTarget(), exchange.remoteAddr(),
                    config.allow().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(",")));
            respond(exchange, id, 403, "text/plain; charset=utf-8", "403 Forbidden: this client may not read Corral's status\n");
            return;
        }
        if (!exchange.method().equals("GET") && !exchange.method().equals("HEAD")) {
            respond(exchange, id, 405, "text/plain; charset=utf-8", "405 Method Not Allowed: the status is read with GET\n");
            return;
        }
        String sub = exchange.rawPath().substring(config.path().length());
        String query = query(exchange.rawTarget());
        switch (sub) {
            case "", "/" -> {
                List<View> views = views(true);
                String only = parameter(query, "app");
                if (!only.isEmpty()) {
                    views = views.stream().filter(view -> view.status().name().equals(only)).toList();
                    if (views.isEmpty()) {
                        respond(exchange, id, 404, "text/plain; charset=utf-8", "no app named [" + only + "] (apps: "
                                + pool.groups().stream().map(Group::name).collect(java.util.stream.Collectors.joining(", "))
                                + ")\n");
                        return;
                    }
                }
                switch (parameter(query, "format")) {
                    case "json" -> respond(exchange, id, 200, "application/json", Json.write(StatusJson.engine(pool, views)));
                    case "text" -> respond(exchange, id, 200, "text/plain; charset=utf-8", text(views));
                    default -> respond(exchange, id, 200, "text/html; charset=utf-8",
                            StatusPage.render(pool, views, refresh(parameter(query, "refresh"))));
                }
            }
            case "/metrics" -> respond(exchange, id, 200, "text/plain; version=0.0.4; charset=utf-8",
                    Metrics.render(views(true), config.perProcessMetrics()));
            case "/ready" -> {
                List<String> reasons = pool.availability(null).reasons();
                respond(exchange, id, reasons.isEmpty() ? 200 : 503, "text/plain; charset=utf-8",
                        reasons.isEmpty() ? "ready\n" : "not ready: " + String.join("; ", reasons) + "\n");
            }
            case "/live" -> respond(exchange, id, 200, "text/plain; charset=utf-8", "live\n");
            default -> respond(exchange, id, 404, "text/plain; charset=utf-8", "404 Not Found: the status endpoints are "
                    + config.path() + ", " + config.path() + "?format=json, " + config.path() + "/metrics, "
                    + config.path() + "/ready and " + config.path() + "/live\n");
        }
    }

    /** The status as text for a terminal, like {@code passenger-status} (and JMX's dump). */
    private String text(List<View> views) {
        StringBuilder text = new StringBuilder().append("Corral ").append(Pool.version()).append(", run directory ")
                .append(pool.runDir()).append(", maxPoolProcesses=").append(pool.maxPoolProcesses()).append('\n');
        views.forEach(view -> text.append(StatusText.app(view.status(), view.group().config.settings(), "  ")));
        return text.toString();
    }

    /**
     * Every app's status; with {@code osReadings}, its processes' memory and CPU time, from one
     * scan of {@code /proc} for all apps ({@link ProcessTable}).
     */
    private List<View> views(boolean osReadings) {
        ProcessTable table = ProcessTable.lazy();   // read on its first question, so never without osReadings
        List<View> views = new ArrayList<>();
        for (Group group : pool.groups()) {
            views.add(new View(group, osReadings ? group.status(table) : group.counts()));
        }
        return views;
    }

    private static int refresh(String value) {
        try {
            return Math.max(0, Math.min(3600, Integer.parseInt(value)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String query(String rawTarget) {
        int q = rawTarget.indexOf('?');
        return q < 0 ? "" : rawTarget.substring(q + 1);
    }

    /** A query parameter's raw value, or "". */
    static String parameter(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if ((eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return "";
    }

    private static InetAddress clientAddress(Exchange exchange) {
        SocketAddress socket = exchange.clientSocket();
        if (socket instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress();
        }
        String remote = exchange.remoteAddr();
        if (remote == null || !remote.matches("[0-9a-fA-F:.\\[\\]]+")) {
            return null;   // not a numeric address: never looked up
        }
        try {
            return InetAddress.getByName(remote.replace("[", "").replace("]", ""));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static void respond(Exchange exchange, String id, int status, String contentType, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.respond(status, List.of(new HttpHeader("Content-Type", contentType),
                new HttpHeader("Content-Length", Integer.toString(body.length)),
                new HttpHeader("Cache-Control", "no-store"),
                new HttpHeader(RequestIds.HEADER, id)),
                "HEAD".equals(exchange.method()) ? new byte[0] : body);
    }
}
