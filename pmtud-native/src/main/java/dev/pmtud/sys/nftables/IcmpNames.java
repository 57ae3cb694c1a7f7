package dev.pmtud.sys.nftables;

/** The names nft prints for the ICMP types and codes pmtud matches; numbers for the rest. */
final class IcmpNames {
    private IcmpNames() {
    }

    static String type(int nfproto, int type) {
        if (nfproto == NfTables.NFPROTO_IPV4 && type == 3) {
            return "destination-unreachable";
        }
        if (nfproto == NfTables.NFPROTO_IPV6 && type == 2) {
            return "packet-too-big";
        }
        return String.valueOf(type);
    }

    static String code(int nfproto, int type, int code) {
        if (nfproto == NfTables.NFPROTO_IPV4 && code == 4) {
            return "frag-needed"; // nft's icmp_code table names code 4 so whatever the type
        }
        if (nfproto == NfTables.NFPROTO_IPV6 && code == 0) {
            return "no-route";
        }
        return String.valueOf(code);
    }
}
