package dev.corral.examples.dashboard;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /events}: the last events of Corral's apps, oldest first, as JSON:
 * {@code {"received":N,"events":[{"number":..,"type":"ProcessExited","thread":"corral-events-cdi@..","event":{..}}]}}.
 */
@WebServlet("/events")
public class EventsJson extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Inject
    EventLog events;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("received", events.received());
        body.put("events", events.entries());
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }
}
