package dev.corral.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;

/**
 * The engine's status endpoints (an engine setting, like {@code maxPoolProcesses}): off unless
 * {@code statusPath} is set; then {@code <statusPath>} (HTML, or {@code ?format=json}),
 * {@code <statusPath>/metrics} (Prometheus), {@code <statusPath>/ready} and
 * {@code <statusPath>/live}, for the clients in {@code statusAllow} only; and the HAProxy
 * agent-check answer on its own TCP port, off unless {@code agentPort} is set (the same state as
 * {@code /ready}, for a load balancer in front of several containers). Immutable.
 *
 * @param path               the status path, or null when the endpoints are off
 * @param allow              the client networks allowed, as CIDR blocks
 * @param perProcessMetrics  whether the metrics have per-pid series too (pids churn)
 * @param agentPort          the agent-check port, 0 = off
 * @param agentBind          the address the agent-check port listens on
 */
public record StatusConfig(String path, List<Cidr> allow, boolean perProcessMetrics, int agentPort,
                           InetAddress agentBind) {
    public static final String STATUS_PATH = "statusPath";
    public static final String STATUS_ALLOW = "statusAllow";
    public static final String STATUS_PER_PROCESS_METRICS = "statusPerProcessMetrics";
    public static final String AGENT_PORT = "agentPort";
    public static final String AGENT_BIND = "agentBind";
    public static final String DEFAULT_ALLOW = "127.0.0.0/8,::1";
    public static final String DEFAULT_AGENT_BIND = "127.0.0.1";
    /** The status endpoints and the agent off. */
    public static final StatusConfig OFF = new StatusConfig(null, parseAllow(DEFAULT_ALLOW, new ArrayList<>()), false,
            0, loopback());

    public StatusConfig {
        allow = List.copyOf(allow);
        java.util.Objects.requireNonNull(agentBind, "agentBind");
    }

    /** The status settings with the agent off. */
    public StatusConfig(String path, List<Cidr> allow, boolean perProcessMetrics) {
        this(path, allow, perProcessMetrics, 0, loopback());
    }

    /** Whether the agent-check port is on. */
    public boolean agentEnabled() {
        return agentPort > 0;
    }

    /**
     * Binds the three settings' raw text (null = not set), adding a problem per bad value.
     *
     * @return the config, or null if a value was bad
     */
    public static StatusConfig bind(String path, String allow, String perProcessMetrics,
                                    List<ConfigException.Problem> problems) {
        return bind(path, allow, perProcessMetrics, null, null, problems);
    }

    /**
     * Binds the five settings' raw text (null = not set), adding a problem per bad value.
     *
     * @return the config, or null if a value was bad
     */
    public static StatusConfig bind(String path, String allow, String perProcessMetrics, String agentPort,
                                    String agentBind, List<ConfigException.Problem> problems) {
        int before = problems.size();
        String p = path == null || path.isBlank() ? null : path.trim();
        if (p != null && (!p.startsWith("/") || p.length() < 2 || p.endsWith("/") || p.matches(".*[\\s?#;%].*"))) {
            problems.add(Setting.STATUS_PATH.problem(path));
        }
        List<Cidr> cidrs = parseAllow(allow == null ? DEFAULT_ALLOW : allow, problems);
        String perProcess = perProcessMetrics == null ? "false" : perProcessMetrics.trim();
        if (!perProcess.equalsIgnoreCase("true") && !perProcess.equalsIgnoreCase("false")) {
            problems.add(Setting.STATUS_PER_PROCESS_METRICS.problem(perProcessMetrics));
        }
        int port = agentPort(agentPort, problems);
        InetAddress bind = agentBind(agentBind, problems);
        return problems.size() > before ? null
                : new StatusConfig(p, cidrs, Boolean.parseBoolean(perProcess), port, bind);
    }

    private static int agentPort(String text, List<ConfigException.Problem> problems) {
        String t = text == null || text.isBlank() ? "0" : text.trim();
        try {
            int port = Integer.parseInt(t);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(Setting.AGENT_PORT.problem(text));
        return 0;
    }

    /** A numeric address only: a host name would be looked up, and may mean another address tomorrow. */
    private static InetAddress agentBind(String text, List<ConfigException.Problem> problems) {
        String t = text == null || text.isBlank() ? DEFAULT_AGENT_BIND : text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && java.util.Arrays.stream(t.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        boolean v6 = t.contains(":") && t.matches("[0-9a-fA-F:.]+");
        if (v4 || v6) {
            try {
                return InetAddress.getByName(t);
            } catch (UnknownHostException e) {
                // reported below
            }
        }
        problems.add(Setting.AGENT_BIND.problem(text));
        return loopback();
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[]{127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Cidr> parseAllow(String text, List<ConfigException.Problem> problems) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String block : text.split("[,\\s]+")) {
            if (block.isEmpty()) {
                continue;
            }
            Cidr cidr = Cidr.parse(block);
            if (cidr == null) {
                problems.add(Setting.STATUS_ALLOW.problem(block));
            } else {
                cidrs.add(cidr);
            }
        }
        return cidrs;
    }

    public boolean enabled() {
        return path != null;
    }

    /** Whether a client at {@code address} may read the status. */
    public boolean allows(InetAddress address) {
        return address != null && allow.stream().anyMatch(cidr -> cidr.contains(address));
    }

    @Override
    public String toString() {
        StringJoiner blocks = new StringJoiner(",");
        allow.forEach(cidr -> blocks.add(cidr.toString()));
        return STATUS_PATH + "=" + (path == null ? "" : path) + ", " + STATUS_ALLOW + "=" + blocks + ", "
                + STATUS_PER_PROCESS_METRICS + "=" + perProcessMetrics + ", " + AGENT_PORT + "=" + agentPort + ", "
                + AGENT_BIND + "=" + agentBind.getHostAddress();
    }

    /**
     * A network: an address and how many of its leading bits must match (IPv4 or IPv6; an
     * IPv4-mapped IPv6 client address matches an IPv4 block). Immutable.
     */
    public record Cidr(byte[] network, int bits) {
        /** The block, or null if the text is not an address with an optional {@code /bits}. */
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String address = slash < 0 ? text : text.substring(0, slash);
            if (!address.matches("[0-9a-fA-F:.]+")) {
                return null;   // no host names: InetAddress would look them up
            }
            try {
                byte[] bytes = InetAddress.getByName(address).getAddress();
                int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
                return bits < 0 || bits > bytes.length * 8 ? null : new Cidr(bytes, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                return null;
            }
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length == 16 && network.length == 4 && isV4Mapped(bytes)) {
                bytes = Arrays.copyOfRange(bytes, 12, 16);
            }
            if (bytes.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (bytes[full] & mask) == (network[full] & mask);
        }

        private static boolean isV4Mapped(byte[] bytes) {
            for (int i = 0; i < 10; i++) {
                if (bytes[i] != 0) {
                    return false;
                }
            }
            return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Cidr c && c.bits == bits && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(network) + bits;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
            } catch (UnknownHostException e) {
                return Arrays.toString(network) + "/" + bits;
            }
        }
    }
}
