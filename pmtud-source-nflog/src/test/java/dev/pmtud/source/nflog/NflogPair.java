package dev.pmtud.source.nflog;

import dev.pmtud.testkit.Netns;

/**
 * A node/peer pair for the nflog source's netns tests: the seed's rule and its ip6tables twin in the
 * node, logging to {@link #GROUP}; the peer sends crafted messages through raw sockets over a veth
 * pair. Each test binds the group inside its own namespace, so the host's netfilter is never touched.
 */
final class NflogPair implements AutoCloseable {
    static final int GROUP = 33;
    static final String NODE_V4 = "192.0.2.1";
    static final String PEER_V4 = "192.0.2.2";
    static final String NODE_V6 = "2001:db8:1::1";
    static final String PEER_V6 = "2001:db8:1::2";
    static final String EXCLUDED_V4 = "198.51.100.0/24";
    static final String EXCLUDED_V6 = "2001:db8:ee::/48";

    final Netns node = Netns.create("node");
    final Netns peer = Netns.create("peer");
    final String peerMac;
    final int nodeIfIndex;

    NflogPair() {
        Netns.veth(node, "eth0", peer, "eth0");
        node.exec("ip", "addr", "add", NODE_V4 + "/24", "dev", "eth0");
        peer.exec("ip", "addr", "add", PEER_V4 + "/24", "dev", "eth0");
        node.exec("ip", "-6", "addr", "add", NODE_V6 + "/64", "dev", "eth0", "nodad");
        peer.exec("ip", "-6", "addr", "add", PEER_V6 + "/64", "dev", "eth0", "nodad");
        String nodeMac = node.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
        peerMac = peer.exec("cat", "/sys/class/net/eth0/address").stdout().trim();
        nodeIfIndex = Integer.parseInt(node.exec("cat", "/sys/class/net/eth0/ifindex").stdout().trim());
        // Static neighbours: no resolution delay or queueing in front of the first messages.
        peer.exec("ip", "neigh", "replace", NODE_V4, "lladdr", nodeMac, "dev", "eth0", "nud", "permanent");
        peer.exec("ip", "-6", "neigh", "replace", NODE_V6, "lladdr", nodeMac, "dev", "eth0", "nud", "permanent");
        node.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-i", "eth0", "!", "-s", EXCLUDED_V4, "-p", "icmp",
                "-m", "icmp", "--icmp-type", "3/4", "-j", "NFLOG", "--nflog-group", String.valueOf(GROUP));
        node.exec("ip6tables", "-t", "raw", "-A", "PREROUTING", "-i", "eth0", "!", "-s", EXCLUDED_V6, "-p", "icmpv6",
                "-m", "icmpv6", "--icmpv6-type", "2/0", "-j", "NFLOG", "--nflog-group", String.valueOf(GROUP));
    }

    NflogSource open(NflogSettings settings) throws Exception {
        return node.call(() -> {
            NflogSource s = new NflogSource(settings, "nflog-test", System.getLogger("nflog-test"));
            s.open();
            return s;
        });
    }

    RawSender sender() throws Exception {
        return peer.call(RawSender::new);
    }

    @Override
    public void close() {
        peer.close();
        node.close();
    }
}
