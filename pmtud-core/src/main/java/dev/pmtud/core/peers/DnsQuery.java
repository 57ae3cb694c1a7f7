package dev.pmtud.core.peers;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A minimal stub resolver for A and AAAA, asking one server directly (RFC 1035 over UDP, TCP
 * when the answer is truncated). Written out rather than using {@code InetAddress}: that one
 * caches answers for the JVM's lifetime policy and cannot ask a chosen server.
 */
final class DnsQuery {
    static final int A = 1;
    static final int AAAA = 28;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A failure that has a metric reason: timeout, nxdomain, servfail, refused, bad-response. */
    static final class DnsException extends IOException {
        private static final long serialVersionUID = 1L;
        final String reason;

        DnsException(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private DnsQuery() {
    }

    /** Checks and normalises a name ({@code a.b.c}, trailing dot optional); throws with the problem. */
    static String checkName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.length() > 253) {
            throw new IllegalArgumentException("'" + name + "' is not a DNS name (1 to 253 characters)");
        }
        for (String label : n.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.chars().allMatch(c -> c < 128 && c > 32)) {
                throw new IllegalArgumentException("'" + name + "' is not a DNS name (labels of 1 to 63 characters, like pmtud.kube-system.svc.cluster.local)");
            }
        }
        return n.toLowerCase(Locale.ROOT);
    }

    /** All A and AAAA addresses of {@code name} at {@code server}. */
    static Set<InetAddress> resolve(InetSocketAddress server, String name, Duration timeout) throws IOException {
        Set<InetAddress> out = new LinkedHashSet<>();
        int nx = 0;
        for (int type : new int[] {A, AAAA}) {
            try {
                out.addAll(query(server, name, type, timeout));
            } catch (DnsException e) {
                if (!e.reason.equals("nxdomain")) {
                    throw e;
                }
                nx++;
            }
        }
        if (nx == 2) {
            throw new DnsException("nxdomain", name + " does not exist (NXDOMAIN from " + hostPort(server) + ")");
        }
        return out;
    }

    static List<InetAddress> query(InetSocketAddress server, String name, int type, Duration timeout) throws IOException {
        int id = RANDOM.nextInt(0x10000);
        byte[] q = question(id, name, type);
        byte[] answer = udp(server, q, id, timeout);
        if ((answer[2] & 0x02) != 0) { // TC: the answer did not fit, ask again over TCP
            answer = tcp(server, q, timeout);
        }
        return parse(answer, id, name, type, server);
    }

    static byte[] question(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(12 + name.length() + 2 + 4);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0).putShort((short) type).putShort((short) 1);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] udp(InetSocketAddress server, byte[] q, int id, Duration timeout) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open(); Selector sel = Selector.open()) {
            ch.connect(server);
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ch.write(ByteBuffer.wrap(q));
            long deadline = System.nanoTime() + timeout.toNanos();
            ByteBuffer in = ByteBuffer.allocate(65535);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0 || sel.select(left) == 0 && System.nanoTime() >= deadline) {
                    throw new DnsException("timeout", "no answer from " + hostPort(server) + " within " + timeout.toMillis() + "ms");
                }
                sel.selectedKeys().clear();
                in.clear();
                try {
                    if (ch.read(in) <= 0) {
                        continue;
                    }
                } catch (java.net.PortUnreachableException e) {
                    throw new DnsException("unreachable", "nothing listens on " + hostPort(server));
                }
                in.flip();
                if (in.remaining() >= 12 && (in.getShort(0) & 0xffff) == id) {
                    byte[] out = new byte[in.remaining()];
                    in.get(out);
                    return out;
                }
            }
        }
    }

    private static byte[] tcp(InetSocketAddress server, byte[] q, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(q.length);
            out.write(q);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] r = new byte[in.readUnsignedShort()];
            in.readFully(r);
            return r;
        } catch (SocketTimeoutException e) {
            throw new DnsException("timeout", "no TCP answer from " + hostPort(server) + " within " + timeout.toMillis() + "ms");
        }
    }

    static List<InetAddress> parse(byte[] m, int id, String name, int type, InetSocketAddress server) throws DnsException {
        ByteBuffer b = ByteBuffer.wrap(m);
        try {
            if ((b.getShort(0) & 0xffff) != id || (m[2] & 0x80) == 0) {
                throw new DnsException("bad-response", "answer from " + hostPort(server) + " does not match the question");
            }
            int rcode = m[3] & 0x0f;
            if (rcode == 3) {
                throw new DnsException("nxdomain", name + " does not exist (NXDOMAIN from " + hostPort(server) + ")");
            }
            if (rcode != 0) {
                String r = rcode == 2 ? "servfail" : rcode == 5 ? "refused" : "rcode-" + rcode;
                throw new DnsException(rcode == 2 || rcode == 5 ? r : "bad-response",
                        hostPort(server) + " answered " + r.toUpperCase(Locale.ROOT) + " for " + name);
            }
            int qd = b.getShort(4) & 0xffff;
            int an = b.getShort(6) & 0xffff;
            int p = 12;
            for (int i = 0; i < qd; i++) {
                p = skipName(m, p) + 4;
            }
            List<InetAddress> out = new ArrayList<>();
            for (int i = 0; i < an; i++) {
                p = skipName(m, p);
                int rtype = b.getShort(p) & 0xffff;
                int rdlen = b.getShort(p + 8) & 0xffff;
                int rdata = p + 10;
                if (rdata + rdlen > m.length) {
                    throw new DnsException("bad-response", "truncated answer from " + hostPort(server));
                }
                if (rtype == type && (rdlen == 4 && type == A || rdlen == 16 && type == AAAA)) {
                    out.add(InetAddress.getByAddress(java.util.Arrays.copyOfRange(m, rdata, rdata + rdlen)));
                } // CNAMEs and other records are skipped: the resolver put the target's addresses here too
                p = rdata + rdlen;
            }
            return out;
        } catch (IndexOutOfBoundsException | UnknownHostException e) {
            throw new DnsException("bad-response", "malformed answer from " + hostPort(server));
        }
    }

    private static int skipName(byte[] m, int p) {
        for (int hops = 0; hops < 128; hops++) {
            int len = m[p] & 0xff;
            if (len == 0) {
                return p + 1;
            }
            if ((len & 0xc0) == 0xc0) {
                return p + 2;
            }
            p += len + 1;
        }
        throw new IndexOutOfBoundsException("name too long");
    }

    static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet4Address ? h : "[" + h + "]") + ":" + a.getPort();
    }

    /** Parses {@code 127.0.0.1}, {@code 127.0.0.1:5353}, {@code [2001:db8::53]:53} or {@code 2001:db8::53}. */
    static InetSocketAddress parseServer(String text) {
        String t = text.trim();
        String host = t;
        int port = 53;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' is not a server; write 127.0.0.1:53 or [2001:db8::53]:53");
            }
            host = t.substring(1, close);
            String rest = t.substring(close + 1);
            if (rest.startsWith(":")) {
                port = port(rest.substring(1), text);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' is not a server; write 127.0.0.1:53 or [2001:db8::53]:53");
            }
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = port(t.substring(t.indexOf(':') + 1), text);
        }
        return new InetSocketAddress(dev.pmtud.api.Values.parseAddress(host), port);
    }

    private static int port(String p, String text) {
        try {
            int n = Integer.parseInt(p);
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("'" + text + "' has a bad port; it must be 1..65535");
    }
}
