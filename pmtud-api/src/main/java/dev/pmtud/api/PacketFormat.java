package dev.pmtud.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Text and objects for logs, decision lines and tests: what a {@link Packet} is and what it says,
 * its addresses as {@link InetAddress}, MACs as {@code aa:bb:cc:dd:ee:ff}. Allocates, so never on the packet path (the runtime formats only when
 * a debug line or a decision listener asks).
 */
final class PacketFormat {
    private PacketFormat() {
    }

    /**
     * {@code ICMP frag-needed from 203.0.113.1 mtu 1400 for tcp 192.0.2.10:443 -> 198.51.100.7:51000},
     * or {@code invalid (reason)}.
     */
    static String describe(Packet p) {
        if (!p.isValid()) {
            return "invalid (" + p.invalidReason() + ")";
        }
        boolean v4 = p.ipVersion() == 4;
        return (v4 ? "ICMP frag-needed" : "ICMPv6 packet-too-big")
                + " from " + Values.formatAddress(p.buffer(), p.outerSourceOffset(), p.addressLength())
                + " mtu " + p.nextHopMtu()
                + " for " + protocolName(p.innerProtocol()) + " "
                + endpoint(p, p.innerSourceOffset(), p.innerSourcePort())
                + " -> " + endpoint(p, p.innerDestinationOffset(), p.innerDestinationPort());
    }

    /** An embedded address, with its port when the embedded protocol has ports ({@code [v6]:port}). */
    private static String endpoint(Packet p, int addressOffset, int port) {
        String host = Values.formatAddress(p.buffer(), addressOffset, p.addressLength());
        int protocol = p.innerProtocol();
        boolean ports = protocol == 6 || protocol == 17 || protocol == 132 || protocol == 33;
        if (!ports) {
            return host;
        }
        return (p.ipVersion() == 6 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String protocolName(int protocol) {
        switch (protocol) {
            case 6: return "tcp";
            case 17: return "udp";
            case 132: return "sctp";
            case 1: return "icmp";
            case 58: return "icmpv6";
            default: return "proto-" + protocol;
        }
    }

    /** A copy of the 4 or 16 address bytes at {@code at}, as an address object. */
    static InetAddress address(byte[] b, int at, int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, at, at + length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes are always an address
        }
    }

    /** A 48-bit MAC number as {@code aa:bb:cc:dd:ee:ff}. */
    static String mac(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (i * 8)) & 0xff;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
