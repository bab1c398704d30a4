package dev.corral.examples.dashboard;

import dev.corral.cdi.CorralView;
import dev.corral.pool.AppStatus;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The pool as JSON, from {@link CorralView}: {@code GET /pool} is every app Corral runs in this
 * JVM ({@code {"apps":[...]}}, each app's snapshot with its {@code processList}), {@code GET
 * /pool/<app>} one app (404 if none of that name runs).
 */
@WebServlet("/pool/*")
public class PoolJson extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Inject
    CorralView corral;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String app = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
        Object body;
        if (app.isEmpty()) {
            body = Map.of("apps", corral.apps());
        } else {
            Optional<AppStatus> status = corral.app(app);
            if (status.isEmpty()) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND, "no Corral app named [" + app + "] runs; apps: "
                        + corral.appNames());
                return;
            }
            body = status.get();
        }
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }
}
