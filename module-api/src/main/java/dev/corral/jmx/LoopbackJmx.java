package dev.corral.jmx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;

import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * Remote JMX on one loopback port, without authentication, for demos and tests (what
 * {@code jconsole localhost:PORT} connects to): an RMI registry and the connector on the same
 * port, both bound to 127.0.0.1 (and {@code java.rmi.server.hostname} set to it, unless it is
 * set already, so that the stubs name that address). A real container takes the JDK's
 * {@code com.sun.management.jmxremote.*} flags instead, with authentication and TLS.
 */
public final class LoopbackJmx implements AutoCloseable {
    private final JMXConnectorServer server;
    private final Registry registry;
    private final int port;

    private LoopbackJmx(JMXConnectorServer server, Registry registry, int port) {
        this.server = server;
        this.registry = registry;
        this.port = port;
    }

    /**
     * Serves the platform MBeanServer on {@code 127.0.0.1:port} ({@code 0}: a free port).
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static LoopbackJmx start(int port) {
        try {
            int chosen = port != 0 ? port : freePort();
            InetAddress loopback = InetAddress.getLoopbackAddress();
            RMIServerSocketFactory serverSockets = p -> new ServerSocket(p, 50, loopback);
            // the stubs name the host to call back; it must be the address the sockets are bound to
            if (System.getProperty("java.rmi.server.hostname") == null) {
                System.setProperty("java.rmi.server.hostname", "127.0.0.1");
            }
            Registry registry = LocateRegistry.createRegistry(chosen, null, serverSockets);
            Map<String, Object> env = new HashMap<>();
            env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, serverSockets);
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + chosen
                    + "/jndi/rmi://127.0.0.1:" + chosen + "/jmxrmi");
            JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(url, env,
                    ManagementFactory.getPlatformMBeanServer());
            try {
                server.start();
            } catch (IOException | RuntimeException e) {
                UnicastRemoteObject.unexportObject(registry, true);
                throw e;
            }
            return new LoopbackJmx(server, registry, chosen);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve JMX on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** The port of the registry and the connector. */
    public int port() {
        return port;
    }

    /** What a client passes to {@code JMXConnectorFactory.connect}; jconsole takes {@code localhost:PORT}. */
    public JMXServiceURL url() {
        try {
            return new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            // the connector is going away anyway
        }
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (java.rmi.NoSuchObjectException e) {
            // not exported any more
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
