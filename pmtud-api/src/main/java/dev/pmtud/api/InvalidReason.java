package dev.pmtud.api;

import java.util.List;

/**
 * Why the decoder refused a buffer. Each is a label of {@code pmtud_invalid_total{reason}}, so the
 * set is fixed and every counter exists at zero from the start.
 */
public final class InvalidReason {
    private InvalidReason() {
    }

    public static final String UNSUPPORTED_LINK_TYPE = "unsupported-link-type";
    public static final String TRUNCATED_LINK_HEADER = "truncated-link-header";
    public static final String TOO_MANY_VLAN_TAGS = "too-many-vlan-tags";
    public static final String NOT_IP = "not-ip";
    public static final String TRUNCATED_IP_HEADER = "truncated-ip-header";
    public static final String BAD_IP_VERSION = "bad-ip-version";
    public static final String BAD_IHL = "bad-ihl";
    public static final String BAD_IP_LENGTH = "bad-ip-length";
    /**
     * An IPv4 fragment (more-fragments set or an offset: the first fragment too, which holds only
     * part of the message) or an IPv6 packet with a fragment header.
     */
    public static final String IP_FRAGMENT = "ip-fragment";
    public static final String TRUNCATED_EXTENSION_HEADER = "truncated-extension-header";
    public static final String NOT_ICMP = "not-icmp";
    public static final String TRUNCATED_ICMP_HEADER = "truncated-icmp-header";
    /** ICMP, but not type 3 code 4 (fragmentation needed). */
    public static final String NOT_FRAG_NEEDED = "not-frag-needed";
    /** ICMPv6, but not type 2 code 0 (packet too big). */
    public static final String NOT_PACKET_TOO_BIG = "not-packet-too-big";
    /** The embedded original packet is not of the outer packet's IP version. */
    public static final String EMBEDDED_NOT_IP = "embedded-not-ip";
    public static final String EMBEDDED_BAD_IHL = "embedded-bad-ihl";
    /** The embedded packet is shorter than its own IP header plus four transport bytes. */
    public static final String EMBEDDED_TOO_SHORT = "embedded-too-short";
    /** An ICMPv6 packet too big reporting an MTU below 1280, the smallest an IPv6 link may have. */
    public static final String MTU_BELOW_IPV6_MINIMUM = "mtu-below-ipv6-minimum";
    /**
     * The ICMP checksum (over the message) or ICMPv6 checksum (with the pseudo-header) does not
     * verify; checked when the whole packet was captured.
     */
    public static final String BAD_ICMP_CHECKSUM = "bad-icmp-checksum";

    public static final List<String> ALL = List.of(UNSUPPORTED_LINK_TYPE, TRUNCATED_LINK_HEADER, TOO_MANY_VLAN_TAGS,
            NOT_IP, TRUNCATED_IP_HEADER, BAD_IP_VERSION, BAD_IHL, BAD_IP_LENGTH, IP_FRAGMENT,
            TRUNCATED_EXTENSION_HEADER, NOT_ICMP, TRUNCATED_ICMP_HEADER, NOT_FRAG_NEEDED, NOT_PACKET_TOO_BIG,
            EMBEDDED_NOT_IP, EMBEDDED_BAD_IHL, EMBEDDED_TOO_SHORT, MTU_BELOW_IPV6_MINIMUM, BAD_ICMP_CHECKSUM);
}
