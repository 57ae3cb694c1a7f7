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
