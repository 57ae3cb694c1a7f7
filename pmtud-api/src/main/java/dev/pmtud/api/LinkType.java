package dev.pmtud.api;

/**
 * The link layer that precedes the IP header in a captured buffer. Numbers are the pcap
 * {@code LINKTYPE_*} values, so a pcap file header maps straight onto this enum.
 */
public enum LinkType {
    /** IEEE 802.3 Ethernet, optionally with one or two 802.1Q / 802.1ad tags. */
    ETHERNET(1),
    /** Raw IP: the buffer starts with an IPv4 or IPv6 header (NFLOG payloads, DLT_RAW). */
    RAW(101),
    /** Linux cooked capture v1 (16-byte header), as captured on "any". */
    LINUX_SLL(113),
    /** Linux cooked capture v2 (20-byte header). */
    LINUX_SLL2(276),
    /** Raw IPv4 only. */
    IPV4(228),
    /** Raw IPv6 only. */
    IPV6(229);

    private final int pcapLinkType;

    LinkType(int pcapLinkType) {
        this.pcapLinkType = pcapLinkType;
    }

    /** The pcap LINKTYPE_ number. */
    public int pcapLinkType() {
        return pcapLinkType;
    }

    /**
     * Maps a pcap LINKTYPE_ (or the Linux DLT_RAW aliases 12 and 14) to a link type.
     *
     * @return the link type, or {@code null} when pmtud cannot decode that link layer
     */
    public static LinkType fromPcap(int linkType) {
        switch (linkType) {
            case 1: return ETHERNET;
            case 12: case 14: case 101: return RAW;
            case 113: return LINUX_SLL;
            case 276: return LINUX_SLL2;
            case 228: return IPV4;
            case 229: return IPV6;
            default: return null;
        }
    }
}
