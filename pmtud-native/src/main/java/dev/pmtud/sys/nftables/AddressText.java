package dev.pmtud.sys.nftables;

/** Networks as nft prints them: dotted IPv4, RFC 5952 IPv6 (longest zero run as {@code ::}). */
final class AddressText {
    private AddressText() {
    }

    static String network(byte[] address, int prefixLength) {
        byte[] a = address.clone();
        for (int i = 0; i < a.length; i++) {
            int bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
            a[i] = (byte) (a[i] & (0xff << (8 - bits)));
        }
        return address(a) + "/" + prefixLength;
    }

    static String address(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
