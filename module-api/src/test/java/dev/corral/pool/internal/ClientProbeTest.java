package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class ClientProbeTest {
    @Test
    void readsClientClosedConnectionsFromTheKernelTable() throws Exception {
        String ipv4 = "   1: 0100007F:1F90 0100007F:D431 08 00000000:00000000 00:00000000 00000000     0        0 0 1";
        assertEquals(new ClientProbe.Connection(8080, InetAddress.getByName("127.0.0.1"), 0xD431),
                ClientProbe.parseClosed(ipv4));
        String mapped = "   2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:A000 08 0:0 0";
        assertEquals(new ClientProbe.Connection(8080, InetAddress.getByName("127.0.0.1"), 0xA000),
                ClientProbe.parseClosed(mapped), "IPv4-mapped addresses come back as IPv4");
        String established = "   3: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 0 1";
        assertNull(ClientProbe.parseClosed(established));
        assertNull(ClientProbe.parseClosed("  sl  local_address"), "a short line is no connection");
    }

    @Test
    void seesARealClientCloseItsConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            try (Socket accepted = server.accept()) {
                ClientProbe.Connection connection = ClientProbe.Connection.of(
                        accepted.getLocalSocketAddress(), accepted.getRemoteSocketAddress());
                assertFalse(ClientProbe.closedByClient().contains(connection), "open connection");
                client.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> ClientProbe.closedByClient().contains(connection));
            }
        }
    }
}
