package dev.corral.pool.internal;

import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.config.StatusConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HAProxy agent-check port of an engine, asked over a real loopback socket as HAProxy asks it. */
@Timeout(30)
class AgentResponderTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);

    private static StatusConfig agentOn(int port) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        StatusConfig config = StatusConfig.bind(null, null, null, Integer.toString(port), "127.0.0.1", problems);
        assertEquals(List.of(), problems);
        return config;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Connects, sends {@code send} (HAProxy's agent-send, "" for none), reads the one line up to the close. */
    private static String check(InetSocketAddress agent, String send) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(agent, 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private AppSettings oneProcess(String name) {
        AppSettings settings = engine.settings(name);
        settings.setMinProcesses("1");
        return settings;
    }

    @Test
    void answersUpWithAWeightForTheContainerAndForOneAppNamedByAgentSend() throws Exception {
        engine.pool.setStatus(agentOn(freePort()));
        AppSettings settings = engine.settings("blog");
        settings.setMinProcesses("1");
        settings.setMaxProcesses("2");
        Group blog = engine.add(settings);
        engine.start();
        engine.request(blog, "/busy");   // waits for the first process, then is held in flight on it
        engine.readyAll();
        assertEquals(1, blog.status().busy());
        InetSocketAddress agent = engine.pool.agentAddress();
        assertNotNull(agent, "the agent listens once the engine started");

        // one of the two slots busy, the queue empty: 90 x 1/2 + 10 x 1
        assertEquals("up ready 55%\n", check(agent, ""), "no agent-send: the whole container");
        assertEquals("up ready 55%\n", check(agent, "blog\r\n"), "agent-send names the app");
        engine.forwards.runAll();
        assertEquals("up ready 100%\n", check(agent, "blog\n"));
        assertEquals("down#no app [nope] in this Corral (apps: blog)\n", check(agent, "nope\n"));
    }

    @Test
    void answersDrainWhileTheEngineDrainsAndUpAgainAfterResume() throws Exception {
        engine.pool.setStatus(agentOn(freePort()));
        engine.add(oneProcess("blog"));
        engine.start();
        engine.readyAll();
        InetSocketAddress agent = engine.pool.agentAddress();

        engine.pool.drain();
        assertEquals("up drain\n", check(agent, ""));
        assertEquals("up drain\n", check(agent, "blog\n"), "an app of a drained engine drains too");
        engine.pool.resume();
        assertEquals("up ready 100%\n", check(agent, ""));
    }

    @Test
    void answersDownWhileAnAppHasNoReadyProcess() throws Exception {
        engine.pool.setStatus(agentOn(freePort()));
        engine.add(oneProcess("blog"));
        engine.start();   // its process is launched, never made ready
        String answer = check(engine.pool.agentAddress(), "");
        assertEquals("down#app [blog] has no ready process\n", answer);
    }

    @Test
    void aPortInUseFailsTheStartNamingAgentPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            engine.pool.setStatus(agentOn(taken.getLocalPort()));
            ConfigException e = assertThrows(ConfigException.class, engine.pool::start);
            assertTrue(e.getMessage().contains("'agentPort'") && e.getMessage().contains("[" + taken.getLocalPort() + "]")
                    && e.getMessage().contains("a port that is free on agentBind=127.0.0.1"), e.getMessage());
        }
    }

    @Test
    void closingTheEngineClosesThePort() throws Exception {
        engine.pool.setStatus(agentOn(freePort()));
        engine.start();
        InetSocketAddress agent = engine.pool.agentAddress();
        assertEquals("up ready 100%\n", check(agent, ""), "no apps: nothing keeps it from taking requests");
        engine.close();
        assertThrows(ConnectException.class, () -> check(agent, ""));
    }
}
