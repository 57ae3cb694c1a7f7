package dev.pmtud.app.rules;

import dev.pmtud.api.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * What pmtud captures, whatever the backend writes it as: ICMP frag-needed (IPv4 3/4) and
 * packet-too-big (IPv6 2/0) arriving on one interface, from outside the excluded networks, to one
 * NFLOG group, for the families the nflog source binds.
 *
 * @param table the iptables table whose PREROUTING holds the rule ({@code raw} or {@code mangle});
 *              for nftables the priority of pmtud's chain (raw -300, mangle -150)
 */
record CaptureRule(int group, boolean ipv4, boolean ipv6, List<Cidr> excluded, String table) {

    CaptureRule {
        excluded = List.copyOf(excluded);
    }

    /** The excluded networks of one family, in configuration order. */
    List<Cidr> excluded(boolean v6) {
        List<Cidr> out = new ArrayList<>();
        for (Cidr c : excluded) {
            if ((c.addressLength() == 16) == v6) {
                out.add(c);
            }
        }
        return out;
    }

    /** The families to capture: false (IPv4) and/or true (IPv6). */
    List<Boolean> families() {
        List<Boolean> f = new ArrayList<>();
        if (ipv4) {
            f.add(false);
        }
        if (ipv6) {
            f.add(true);
        }
        return f;
    }
}
