package dev.pmtud.api;

/**
 * The netfilter log (NFLOG) group a source reads, and the address families it takes from it, as
 * {@link Source#nflogGroup()} reports it: what a capture rule must log to for the source to see
 * anything ({@code log group G}, {@code -j NFLOG --nflog-group G}).
 *
 * @param group 0 to 65535
 * @param ipv4  whether the source takes IPv4 messages (ICMP 3/4) from the group
 * @param ipv6  whether it takes IPv6 messages (ICMPv6 2/0)
 */
public record NflogGroup(int group, boolean ipv4, boolean ipv6) {
    public NflogGroup {
        if (group < 0 || group > 65535) {
            throw new IllegalArgumentException("NFLOG group " + group + " is outside 0..65535");
        }
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("an NFLOG group read for neither IPv4 nor IPv6");
        }
    }

    @Override
    public String toString() {
        return "NFLOG group " + group + (ipv4 && ipv6 ? "" : ipv4 ? " (IPv4)" : " (IPv6)");
    }
}
