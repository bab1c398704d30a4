package dev.corral.pool.internal;

import dev.corral.config.ConfigException;
import dev.corral.config.StatusConfig;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The HAProxy agent-check port ({@code agentPort}): for every TCP connection it reads what the
 * balancer sends first ({@code agent-send}: an app's name, or nothing), writes one line (the
 * {@link Availability} of that app, or of the whole container) and closes. Not HTTP: HAProxy's
 * agent protocol is a bare line.
 *
 * <p>One daemon thread accepts; each check is answered on a small pool of daemon threads (at
 * most {@link #HANDLERS}; a connection beyond them is closed unanswered, which HAProxy treats as
 * no news). A check that sends nothing is answered after {@link #READ_TIMEOUT}, the time allowed
 * for an {@code agent-send} to arrive. Nothing here takes an engine lock: the answer is read from
 * the apps' counts. Lifetime: from the engine's start to its close. Thread-safe.
 */
final class AgentResponder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.corral.status");
    /** How long a check may take to send its {@code agent-send} line. */
    static final int READ_TIMEOUT = 250;
    /** Checks answered at once, at most. */
    static final int HANDLERS = 4;
    /** The longest {@code agent-send} line read. */
    static final int MAX_REQUEST = 256;

    private final ServerSocket server;
    private final Function<String, String> answer;
    private final ThreadPoolExecutor handlers;
    private final Thread acceptor;
    /** The state word of the last answer for the whole container, for a log line when it changes. */
    private volatile String lastState = "";

    private AgentResponder(ServerSocket server, Function<String, String> answer) {
        this.server = server;
        this.answer = answer;
        this.handlers = new ThreadPoolExecutor(0, HANDLERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                EngineServices.daemonThreads("corral-agent-check"));
        this.acceptor = EngineServices.daemonThreads("corral-agent").newThread(this::acceptLoop);
    }

    /**
     * Listens on {@code bind:port} and answers every check with {@code answer.apply(agentSend)}.
     *
     * @throws ConfigException naming {@code agentPort} if the port cannot be had (in use, or not allowed)
     */
    static AgentResponder open(InetAddress bind, int port, Function<String, String> answer) {
        ServerSocket server = null;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(bind, port), 50);
        } catch (IOException e) {
            closeQuietly(server);
            throw new ConfigException(List.of(new ConfigException.Problem(StatusConfig.AGENT_PORT, Integer.toString(port),
                    "a port that is free on " + StatusConfig.AGENT_BIND + "=" + bind.getHostAddress() + " (binding it failed: "
                            + e.getMessage() + ")")));
        }
        AgentResponder responder = new AgentResponder(server, answer);
        responder.acceptor.start();
        LOG.log(Level.INFO, "HAProxy agent-check listening on {0}:{1}", bind.getHostAddress(),
                Integer.toString(server.getLocalPort()));
        return responder;
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.log(Level.WARNING, "agent-check: accepting failed: {0}", e.toString());
                }
                continue;
            }
            try {
                handlers.execute(() -> handle(socket));
            } catch (RejectedExecutionException e) {
                LOG.log(Level.DEBUG, "agent-check from {0} not answered: {1} checks are being answered already",
                        socket.getRemoteSocketAddress(), HANDLERS);
                closeQuietly(socket);
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            socket.setSoTimeout(READ_TIMEOUT);
            String request = readLine(socket.getInputStream());
            String line = answer.apply(request);
            socket.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            logChange(request, line);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "agent-check from {0} failed: {1}", socket.getRemoteSocketAddress(), e.toString());
        }
    }

    /** Reads up to the first line end, the end of input, or {@link #READ_TIMEOUT}; "" when nothing came. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        try {
            while (line.length() < MAX_REQUEST) {
                int b = in.read();
                if (b < 0 || b == '\n' || b == '\r') {
                    break;
                }
                line.append((char) (b & 0x7f));
            }
        } catch (SocketTimeoutException e) {
            // no agent-send, or a partial one: answer what came
        }
        return line.toString();
    }

    private void logChange(String request, String line) {
        if (!request.isBlank()) {
            LOG.log(Level.DEBUG, "agent-check for [{0}] answered {1}", request.trim(), line.trim());
            return;
        }
        String state = line.split("[ #\\n]", 2)[0] + (line.contains("drain") ? " drain" : "");
        if (!state.equals(lastState)) {
            lastState = state;
            LOG.log(Level.INFO, "agent-check answers {0}", line.trim());
        }
    }

    /** Stops listening: the balancer's next check fails to connect, which HAProxy takes as no news. */
    @Override
    public void close() {
        closeQuietly(server);
        handlers.shutdown();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}
