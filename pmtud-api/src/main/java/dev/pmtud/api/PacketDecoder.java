package dev.pmtud.api;

/**
 * Finds the headers of one captured buffer in place: the link header (Ethernet with up to two VLAN
 * tags, Linux cooked SLL/SLL2, or none), the outer IP header (IPv6 extension headers walked), the
 * ICMP header and the embedded original packet. It writes only offsets and small numbers into the
 * {@link Packet}'s decoded fields, never copies, never allocates and never throws: every bound is
 * checked against the captured length first, and a buffer pmtud cannot use ends with one of
 * {@link InvalidReason}. Strict about what a kernel would act on: no fragments, a verified ICMP
 * or ICMPv6 checksum (when the packet was captured whole), no IPv6 MTU below 1280.
 *
 * <p>Stateless; {@link Packet#decode()} is its only caller.
 */
final class PacketDecoder {
    private static final int ETHERNET_HEADER = 14;
    private static final int SLL_HEADER = 16;
    private static final int SLL2_HEADER = 20;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ARPHRD_ETHER = 1;
    /** More extension headers than a router adds in practice: a longer chain is not a PTB pmtud can use. */
    private static final int MAX_EXTENSION_HEADERS = 8;
    /** IPv4 flags and fragment offset: more-fragments (0x2000) and the 13-bit offset. */
    private static final int IPV4_MF_AND_OFFSET = 0x3fff;
    /** The smallest MTU an IPv6 link may have (RFC 8200 section 5). */
    static final long IPV6_MIN_MTU = 1280;

    private PacketDecoder() {
    }

    /**
     * Decodes {@code p}'s buffer: fills its decoded fields, and the metadata its source left unset
     * (source MAC, packet type, interface index) from the link header.
     *
     * @return {@code null} for a valid packet, else one of {@link InvalidReason}
     */
    static String decode(Packet p) {
        p.linkBroadcast = false;
        p.vlanTags = 0;
        p.outerVlanId = -1;
        if (p.linkType() == null) {
            return InvalidReason.UNSUPPORTED_LINK_TYPE; // a switch on null would throw
        }
        byte[] b = p.buffer();
        int at = p.offset();
        int end = at + p.length();
        int etherType;
        switch (p.linkType()) {
            case RAW:
            case IPV4:
            case IPV6:
                return ip(p, b, at, end);
            case ETHERNET:
                if (end - at < ETHERNET_HEADER) {
                    return InvalidReason.TRUNCATED_LINK_HEADER;
                }
                p.linkBroadcast = (b[at] & b[at + 1] & b[at + 2] & b[at + 3] & b[at + 4] & b[at + 5]) == (byte) 0xff;
                if (p.sourceMac == Packet.NO_MAC) {
                    p.sourceMac = mac(b, at + 6);
                }
                etherType = u16(b, at + 12);
                at += ETHERNET_HEADER;
                break;
            case LINUX_SLL:
                if (end - at < SLL_HEADER) {
                    return InvalidReason.TRUNCATED_LINK_HEADER;
                }
                if (p.packetType == Packet.PACKET_TYPE_UNKNOWN) {
                    p.packetType = u16(b, at);
                }
                if (p.sourceMac == Packet.NO_MAC && u16(b, at + 2) == ARPHRD_ETHER && u16(b, at + 4) == 6) {
                    p.sourceMac = mac(b, at + 6);
                }
                etherType = u16(b, at + 14);
                at += SLL_HEADER;
                break;
            case LINUX_SLL2:
                if (end - at < SLL2_HEADER) {
                    return InvalidReason.TRUNCATED_LINK_HEADER;
                }
                etherType = u16(b, at);
                if (p.ifIndex == 0) {
                    p.ifIndex = u16(b, at + 4) << 16 | u16(b, at + 6);
                }
                if (p.packetType == Packet.PACKET_TYPE_UNKNOWN) {
                    p.packetType = b[at + 10] & 0xff;
                }
                if (p.sourceMac == Packet.NO_MAC && u16(b, at + 8) == ARPHRD_ETHER && (b[at + 11] & 0xff) == 6) {
                    p.sourceMac = mac(b, at + 12);
                }
                at += SLL2_HEADER;
                break;
            default:
                return InvalidReason.UNSUPPORTED_LINK_TYPE;
        }
        // 802.1Q (0x8100), 802.1ad (0x88a8) and the old QinQ 0x9100: at most two tags.
        while (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
            if (p.vlanTags == 2) {
                return InvalidReason.TOO_MANY_VLAN_TAGS;
            }
            if (end - at < 4) {
                return InvalidReason.TRUNCATED_LINK_HEADER;
            }
            if (p.vlanTags == 0) {
                p.outerVlanId = u16(b, at) & 0x0fff;
            }
            p.vlanTags++;
            etherType = u16(b, at + 2);
            at += 4;
        }
        if (etherType != ETHERTYPE_IPV4 && etherType != ETHERTYPE_IPV6) {
            return InvalidReason.NOT_IP;
        }
        return ip(p, b, at, end);
    }

    private static String ip(Packet p, byte[] b, int at, int end) {
        if (end - at < 1) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int version = (b[at] & 0xff) >>> 4;
        if (p.linkType() == LinkType.IPV4 && version != 4 || p.linkType() == LinkType.IPV6 && version != 6) {
            return InvalidReason.BAD_IP_VERSION;
        }
        p.l3Off = at;
        if (version == 4) {
            return ipv4(p, b, at, end);
        } else if (version == 6) {
            return ipv6(p, b, at, end);
        }
        return InvalidReason.BAD_IP_VERSION;
    }

    private static String ipv4(Packet p, byte[] b, int at, int end) {
        p.ipVersion = 4;
        if (end - at < 20) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int ihl = (b[at] & 0x0f) * 4;
        if (ihl < 20) {
            return InvalidReason.BAD_IHL;
        }
        if (end - at < ihl) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int totalLength = u16(b, at + 2);
        if (totalLength < ihl) {
            return InvalidReason.BAD_IP_LENGTH;
        }
        // Trust the shorter of the header's length and what was captured: trailing link padding
        // is not part of the packet, and a short capture still carries what pmtud needs.
        p.l3Len = Math.min(totalLength, end - at);
        // Any fragment: a later one holds no ICMP header, and the first (MF set, offset 0) only part
        // of the message, whose checksum cannot be checked and which a peer would hold for
        // reassembly. Capture rules match only offset 0 (nft and iptables skip the transport match
        // of later fragments), so MF is what actually arrives.
        if ((u16(b, at + 6) & IPV4_MF_AND_OFFSET) != 0) {
            return InvalidReason.IP_FRAGMENT;
        }
        if ((b[at + 9] & 0xff) != 1) {
            return InvalidReason.NOT_ICMP;
        }
        int icmp = at + ihl;
        int l3End = at + p.l3Len;
        if (l3End - icmp < 8) {
            return InvalidReason.TRUNCATED_ICMP_HEADER;
        }
        p.icmpOff = icmp;
        p.icmpType = b[icmp] & 0xff;
        p.icmpCode = b[icmp + 1] & 0xff;
        if (p.icmpType != 3 || p.icmpCode != 4) {
            return InvalidReason.NOT_FRAG_NEEDED;
        }
        p.nextHopMtu = u16(b, icmp + 6);
        int inner = icmp + 8;
        if (l3End - inner < 1 || (b[inner] & 0xff) >>> 4 != 4) {
            return l3End - inner < 1 ? InvalidReason.EMBEDDED_TOO_SHORT : InvalidReason.EMBEDDED_NOT_IP;
        }
        int innerIhl = (b[inner] & 0x0f) * 4;
        if (innerIhl < 20) {
            return InvalidReason.EMBEDDED_BAD_IHL;
        }
        if (l3End - inner < innerIhl + 4) {
            return InvalidReason.EMBEDDED_TOO_SHORT;
        }
        p.innerOff = inner;
        p.innerProtocol = b[inner + 9] & 0xff;
        p.innerTransportOff = inner + innerIhl;
        // Only a packet captured whole can be checked (a short capture, like a small pcap snaplen,
        // still carries the fields pmtud reads; what is relayed of it gets a fresh checksum).
        if (totalLength <= end - at && InternetChecksum.fold(InternetChecksum.add(0, b, icmp, l3End - icmp)) != 0) {
            return InvalidReason.BAD_ICMP_CHECKSUM;
        }
        return null;
    }

    private static String ipv6(Packet p, byte[] b, int at, int end) {
        p.ipVersion = 6;
        if (end - at < 40) {
            return InvalidReason.TRUNCATED_IP_HEADER;
        }
        int payloadLength = u16(b, at + 4);
        if (payloadLength == 0) {
            return InvalidReason.BAD_IP_LENGTH; // jumbograms never carry a packet-too-big
        }
        p.l3Len = Math.min(40 + payloadLength, end - at);
        int l3End = at + p.l3Len;
        int next = b[at + 6] & 0xff;
        int q = at + 40;
        // Walk the extension headers a router may add; at most a handful, each bounded by l3End.
        for (int hops = 0; next != 58; hops++) {
            if (hops == MAX_EXTENSION_HEADERS) {
                return InvalidReason.NOT_ICMP;
            }
            if (next == 0 || next == 43 || next == 60) { // hop-by-hop, routing, destination options
                if (l3End - q < 8) {
                    return InvalidReason.TRUNCATED_EXTENSION_HEADER;
                }
                int extLen = ((b[q + 1] & 0xff) + 1) * 8;
                if (l3End - q < extLen) {
                    return InvalidReason.TRUNCATED_EXTENSION_HEADER;
                }
                next = b[q] & 0xff;
                q += extLen;
            } else if (next == 44) {
                // A fragment header: a later fragment holds no ICMPv6 header, the first only part of
                // the message (see ipv4()); an atomic fragment (RFC 8021 deprecates them) is refused
                // alike rather than relayed with a header the peers' kernels would reassemble.
                if (l3End - q < 8) {
                    return InvalidReason.TRUNCATED_EXTENSION_HEADER;
                }
                return InvalidReason.IP_FRAGMENT;
            } else {
                return InvalidReason.NOT_ICMP;
            }
        }
        if (l3End - q < 8) {
            return InvalidReason.TRUNCATED_ICMP_HEADER;
        }
        p.icmpOff = q;
        p.icmpType = b[q] & 0xff;
        p.icmpCode = b[q + 1] & 0xff;
        if (p.icmpType != 2 || p.icmpCode != 0) {
            return InvalidReason.NOT_PACKET_TOO_BIG;
        }
        p.nextHopMtu = ((long) u16(b, q + 4) << 16) | u16(b, q + 6);
        int inner = q + 8;
        if (l3End - inner < 1 || (b[inner] & 0xff) >>> 4 != 6) {
            return l3End - inner < 1 ? InvalidReason.EMBEDDED_TOO_SHORT : InvalidReason.EMBEDDED_NOT_IP;
        }
        if (l3End - inner < 40 + 4) {
            return InvalidReason.EMBEDDED_TOO_SHORT;
        }
        p.innerOff = inner;
        p.innerProtocol = b[inner + 6] & 0xff;
        p.innerTransportOff = inner + 40;
        if (p.nextHopMtu < IPV6_MIN_MTU) {
            // No IPv6 link is that small: the kernel's TCP ignores it (tcp_v6_err), and it only ever
            // served to provoke atomic fragments (RFC 8021).
            return InvalidReason.MTU_BELOW_IPV6_MINIMUM;
        }
        if (40 + payloadLength <= end - at) { // captured whole: see ipv4()
            long sum = InternetChecksum.ipv6PseudoHeader(b, at, l3End - q, 58);
            if (InternetChecksum.fold(InternetChecksum.add(sum, b, q, l3End - q)) != 0) {
                return InvalidReason.BAD_ICMP_CHECKSUM;
            }
        }
        return null;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /** Six bytes as the 48-bit number {@link Packet#sourceMac()} returns. */
    static long mac(byte[] b, int at) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | (b[at + i] & 0xff);
        }
        return m;
    }
}
