package dev.corral.examples.dashboard;

import dev.corral.cdi.CorralApp;
import dev.corral.client.AppCallException;
import dev.corral.client.AppClient;
import dev.corral.client.AppRequest;
import dev.corral.client.AppResponse;
import dev.corral.client.QueueFullException;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /call/<path>}: calls the Corral app {@value #APP} with {@code GET /<path>} (and the
 * query) through the same queue, limits and processes as a request from the network, and answers
 * with the app's status, content type and body, plus the pid of the process that answered
 * ({@code X-Corral-Pid}). When the app gives no answer, the typed exception says why: a JSON
 * body with the reason code ({@code queue_full}, {@code app_crashed}, ...), the exception's class
 * and message, the status a network client would have got (503, 502, 504) and its
 * {@code X-Corral-Reason} header.
 */
@WebServlet("/call/*")
public class DemoCall extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** The app the dashboard calls: an app of this name must run in the container. */
    static final String APP = "demo";

    @Inject
    @CorralApp("demo")
    AppClient demo;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        String target = request.getQueryString() == null ? path : path + "?" + request.getQueryString();
        // the demo's slowest answer (/slow?ms=60000) plus time to wait in its queue
        AppRequest call = AppRequest.builder("GET", target).timeout(Duration.ofSeconds(70)).build();
        try (AppResponse answer = demo.send(call)) {
            response.setStatus(answer.status());
            response.setHeader("X-Corral-App", answer.app());
            response.setHeader("X-Corral-Pid", Long.toString(answer.pid()));
            response.setHeader("X-Corral-Queue-Millis", Long.toString(answer.queueMillis()));
            String type = answer.header("Content-Type");
            if (type != null) {
                response.setContentType(type);
            }
            try (InputStream body = answer.body(); OutputStream out = response.getOutputStream()) {
                body.transferTo(out);
            }
        } catch (QueueFullException full) {
            // every waiting place is taken: the app is busy, try again in a moment
            response.setHeader("Retry-After", "1");
            failed(response, full);
        } catch (AppCallException failure) {
            failed(response, failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "interrupted");
        }
    }

    private static void failed(HttpServletResponse response, AppCallException failure) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("app", failure.app());
        body.put("reason", failure.reason());
        body.put("exception", failure.getClass().getSimpleName());
        body.put("message", failure.getMessage());
        body.put("status", failure.status());
        body.put("retryable", failure.retryable());
        body.put("pid", failure.pid());
        body.put("requestId", failure.requestId());
        response.setStatus(failure.status() > 0 ? failure.status() : HttpServletResponse.SC_BAD_GATEWAY);
        response.setHeader("X-Corral-Reason", failure.reason());
        response.setContentType("application/json");
        response.getOutputStream().write(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }
}
