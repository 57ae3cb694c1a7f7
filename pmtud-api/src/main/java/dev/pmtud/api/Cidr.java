package dev.pmtud.api;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network, {@code 192.0.2.0/24} or {@code 2001:db8::/32}. {@link #contains(byte[], int, int)}
 * tests an address in place, inside a packet buffer, without allocating.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
        for (int bit = prefix; bit < network.length * 8; bit++) {
            network[bit >> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        this.text = Values.formatAddress(network, 0, network.length) + "/" + prefix;
    }

    /**
     * Parses {@code ADDRESS/PREFIX}; a bare address means a single host (/32 or /128). Host bits
     * set below the prefix are cleared ({@code 192.0.2.7/24} is {@code 192.0.2.0/24}).
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        InetAddress address;
        try {
            address = Values.parseAddress(slash < 0 ? t : t.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a network; write it as 192.0.2.0/24 or 2001:db8::/32");
        }
        int max = address instanceof Inet4Address ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1).trim();
            try {
                prefix = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max || p.isEmpty() || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length; it must be 0.." + max);
            }
        }
        return new Cidr(address.getAddress(), prefix);
    }

    public static Cidr of(InetAddress address, int prefix) {
        return new Cidr(address.getAddress(), prefix);
    }

    /** 4 or 16. */
    public int addressLength() {
        return network.length;
    }

    public int prefixLength() {
        return prefix;
    }

    public InetAddress network() {
        try {
            return InetAddress.getByAddress(network.clone());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the address of {@code length} bytes at {@code buf[off]} is inside this network. */
    public boolean contains(byte[] buf, int off, int length) {
        if (length != network.length) {
            return false;
        }
        int full = prefix >> 3;
        for (int i = 0; i < full; i++) {
            if (buf[off + i] != network[i]) {
                return false;
            }
        }
        int rest = prefix & 7;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (buf[off + full] & mask) == (network[full] & 0xff);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return contains(a, 0, a.length);
    }

    /** Whether every address of {@code other} is inside this network. */
    public boolean covers(Cidr other) {
        return other.network.length == network.length && other.prefix >= prefix
                && contains(other.network, 0, other.network.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr && ((Cidr) o).prefix == prefix && Arrays.equals(((Cidr) o).network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return text;
    }
}
