package dev.pmtud.sink.raw;

/** How the raw sink carries a message to the peers (the architecture note's replication modes). */
enum Mode {
    /** The ICMP message in a fresh IP header from this node to each peer (go-pmtud 2020). */
    L3("l3"),
    /** The original packet verbatim in a frame to each peer's MAC (go-pmtud today). */
    L2_UNICAST("l2-unicast"),
    /** The original packet verbatim in a frame to ff:ff:ff:ff:ff:ff (cloudflare/pmtud). */
    L2_BROADCAST("l2-broadcast"),
    /** The original packet in IPv4-in-IPv4 / IPv6-in-IPv6 to each peer (exaring/pmtud). */
    IPIP("ipip");

    final String text;

    Mode(String text) {
        this.text = text;
    }

    static Mode of(String text) {
        for (Mode m : values()) {
            if (m.text.equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException(text);
    }

    /**
     * What a mode cannot reach, as {@code validate} prints it, or {@code null}: the kernel relates an
     * ICMP error to a NATed connection only when it is addressed to the connection's address, and
     * forwards nothing that arrived as a link-layer broadcast.
     */
    String caveat() {
        switch (this) {
            case L3:
                return "l3 reaches host sockets only: a connection served by a pod behind DNAT never learns the MTU,"
                        + " because conntrack relates an ICMP error to a connection only when its outer destination is"
                        + " the connection's address (nf_conntrack_inet_error, \"outer daddr != inner\"); use the udp relay,"
                        + " or l2-unicast on one L2 segment";
            case L2_BROADCAST:
                return "ip_forward() drops what arrived as a link-layer broadcast, so copies reach host sockets, never a pod;"
                        + " use the udp relay or l2-unicast";
            default:
                return null;
        }
    }

    boolean linkLayer() {
        return this == L2_UNICAST || this == L2_BROADCAST;
    }

    static String[] names() {
        Mode[] v = values();
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i].text;
        }
        return out;
    }
}
