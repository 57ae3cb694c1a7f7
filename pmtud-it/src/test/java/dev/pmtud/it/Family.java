package dev.pmtud.it;

/** IPv4 or IPv6: the addresses of the labs ({@link ClusterLab}) for one family, and its tools' spellings. */
public enum Family {
    V4, V6;

    public String vip() {
        return this == V4 ? ClusterLab.VIP4 : ClusterLab.VIP6;
    }

    public String client() {
        return this == V4 ? ClusterLab.CLIENT4 : ClusterLab.CLIENT6;
    }

    /** Where the router's ICMP errors come from: its client-side address, outside every node range. */
    public String routerIcmpSource() {
        return this == V4 ? ClusterLab.ROUTER_CLIENT_SIDE4 : ClusterLab.ROUTER_CLIENT_SIDE6;
    }

    /** The pod's own address (inside the pod namespace; the DNAT target). */
    public String pod() {
        return this == V4 ? ClusterLab.POD4 : ClusterLab.POD6;
    }

    /** The node's end of the pod's veth: the pod's default gateway. */
    public String podGateway() {
        return this == V4 ? ClusterLab.POD_GATEWAY4 : ClusterLab.POD_GATEWAY6;
    }

    /** The prefix length of the pod's link. */
    public int podPrefix() {
        return this == V4 ? 24 : 64;
    }

    /** {@code ip -4} or {@code ip -6}. */
    public String ip() {
        return this == V4 ? "-4" : "-6";
    }

    public String iptables() {
        return this == V4 ? "iptables" : "ip6tables";
    }

    /** The protocol name {@code ip rule ipproto} takes for this family's ICMP. */
    public String icmpProtocol() {
        return this == V4 ? "icmp" : "ipv6-icmp";
    }

    /** An address with a port, as iptables' {@code --to-destination} spells it. */
    public String withPort(String address, int port) {
        return this == V4 ? address + ":" + port : "[" + address + "]:" + port;
    }
}
