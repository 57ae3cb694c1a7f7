package dev.pmtud.sys.nftables;

import static dev.pmtud.sys.nftables.NfTables.*;

import dev.pmtud.sys.Linux;
import dev.pmtud.sys.netlink.NetlinkWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A rule as the caller says it ({@code iifname "eth0" icmp type 3 icmp code 4 ip saddr != NET log
 * group 33}), which encodes itself into the expressions nft would send for it and prints itself
 * in nft's syntax. Only the matches pmtud needs exist. Immutable; build with {@link #builder()}.
 * <pre>
 *   NftRule r = NftRule.builder().iifname("eth0").icmp(3, 4).sourceNotIn(net, 24).logGroup(33).build();
 * </pre>
 */
public final class NftRule {
    /** One match or statement: its expressions and its nft text. */
    private interface Part {
        void encode(NetlinkWriter w);

        String text();
    }

    private final List<Part> parts;
    private final int family;
    private final String comment;

    private NftRule(List<Part> parts, int family, String comment) {
        this.parts = List.copyOf(parts);
        this.family = family;
        this.comment = comment;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@link NfTables#NFPROTO_IPV4} or {@code _IPV6} when the rule matches one family, else {@code NFPROTO_UNSPEC}. */
    public int family() {
        return family;
    }

    public String comment() {
        return comment;
    }

    /** The same rule with {@code comment} (kept in its user data, shown by nft). */
    public NftRule withComment(String newComment) {
        NftUserdata.comment(newComment); // validates
        return new NftRule(parts, family, newComment);
    }

    /** Writes the {@code NFTA_LIST_ELEM}s that go inside {@code NFTA_RULE_EXPRESSIONS}. */
    public void writeExpressions(NetlinkWriter w) {
        for (Part p : parts) {
            p.encode(w);
        }
    }

    /** The user data for {@code NFTA_RULE_USERDATA}, or null without a comment. */
    public byte[] userdata() {
        return comment == null ? null : NftUserdata.comment(comment);
    }

    /** 8 hex digits of a CRC-32 over the encoded expressions: equal rules, equal fingerprints. */
    public String fingerprint() {
        NetlinkWriter w = new NetlinkWriter(512);
        w.begin(0, 0, 0);
        writeExpressions(w);
        w.end();
        CRC32 crc = new CRC32();
        crc.update(w.array(), 16, w.length() - 16);
        return String.format("%08x", crc.getValue());
    }

    /** The rule in nft syntax, as {@code nft list} prints it (without a handle). */
    public String text() {
        List<String> words = new ArrayList<>();
        for (Part p : parts) {
            words.add(p.text());
        }
        if (comment != null) {
            words.add("comment \"" + comment + "\"");
        }
        return String.join(" ", words);
    }

    @Override
    public String toString() {
        return text();
    }

    public static final class Builder {
        private final List<Part> parts = new ArrayList<>();
        private int family = NFPROTO_UNSPEC;

        private Builder() {
        }

        private Builder add(Part p) {
            parts.add(p);
            return this;
        }

        /** {@code iifname "NAME"}: the packet came in on this interface (by name, so it may come and go). */
        public Builder iifname(String name) {
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            if (n.length == 0 || n.length >= Linux.IFNAMSIZ) {
                throw new IllegalArgumentException("interface name '" + name + "' must be 1 to 15 bytes");
            }
            byte[] value = new byte[Linux.IFNAMSIZ]; // nft compares the whole IFNAMSIZ, zero-padded: an exact name
            System.arraycopy(n, 0, value, 0, n.length);
            return add(part(w -> {
                NftExpressions.meta(w, NFT_META_IIFNAME, NFT_REG_1);
                NftExpressions.cmp(w, NFT_REG_1, NFT_CMP_EQ, value);
            }, "iifname \"" + name + "\""));
        }

        /** {@code icmp type T icmp code C} (IPv4): implies {@code meta nfproto ipv4 meta l4proto icmp}. */
        public Builder icmp(int type, int code) {
            return icmpOf(NFPROTO_IPV4, Linux.IPPROTO_ICMP, "icmp", type, code);
        }

        /** {@code icmpv6 type T icmpv6 code C}: implies {@code meta nfproto ipv6 meta l4proto ipv6-icmp}. */
        public Builder icmpv6(int type, int code) {
            return icmpOf(NFPROTO_IPV6, Linux.IPPROTO_ICMPV6, "icmpv6", type, code);
        }

        private Builder icmpOf(int nfproto, int l4proto, String word, int type, int code) {
            if (family != NFPROTO_UNSPEC && family != nfproto) {
                throw new IllegalStateException("a rule matches one address family");
            }
            family = nfproto;
            byte[] typeCode = {(byte) type, (byte) code};
            // As nft does: the family and protocol checks nft adds as dependencies, then type and code
            // (adjacent bytes) in one 2-byte load.
            return add(part(w -> {
                NftExpressions.meta(w, NFT_META_NFPROTO, NFT_REG_1);
                NftExpressions.cmp(w, NFT_REG_1, NFT_CMP_EQ, new byte[] {(byte) nfproto});
                NftExpressions.meta(w, NFT_META_L4PROTO, NFT_REG_1);
                NftExpressions.cmp(w, NFT_REG_1, NFT_CMP_EQ, new byte[] {(byte) l4proto});
                NftExpressions.payload(w, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1);
                NftExpressions.cmp(w, NFT_REG_1, NFT_CMP_EQ, typeCode);
            }, word + " type " + IcmpNames.type(nfproto, type) + " " + word + " code " + IcmpNames.code(nfproto, type, code)));
        }

        /**
         * {@code ip saddr != NET} / {@code ip6 saddr != NET}: the source address is outside
         * {@code address/prefixLength} (host bits are ignored). Needs the family matched first
         * ({@link #icmp} or {@link #icmpv6}), as nft's payload dependencies do.
         */
        public Builder sourceNotIn(byte[] address, int prefixLength) {
            boolean v6 = address.length == 16;
            if (address.length != 4 && !v6) {
                throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
            }
            if (prefixLength < 0 || prefixLength > address.length * 8) {
                throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
            }
            if (family != (v6 ? NFPROTO_IPV6 : NFPROTO_IPV4)) {
                throw new IllegalStateException("match the address family (icmp/icmpv6) before its source address");
            }
            int offset = v6 ? 8 : 12; // saddr in struct ipv6hdr / struct iphdr
            // As nft does: a prefix of whole bytes loads just those bytes; any other loads the whole
            // address and masks it.
            boolean partial = prefixLength % 8 != 0 || prefixLength == 0;
            int bytes = partial ? address.length : prefixLength / 8;
            byte[] mask = new byte[bytes];
            byte[] net = new byte[bytes];
            for (int i = 0; i < bytes; i++) {
                int bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
                mask[i] = (byte) (0xff << (8 - bits));
                net[i] = (byte) (address[i] & mask[i]);
            }
            String text = (v6 ? "ip6" : "ip") + " saddr != " + AddressText.network(address, prefixLength);
            return add(part(w -> {
                NftExpressions.payload(w, NFT_PAYLOAD_NETWORK_HEADER, offset, bytes, NFT_REG_1);
                if (partial) {
                    NftExpressions.bitwise(w, NFT_REG_1, NFT_REG_1, mask, new byte[bytes]);
                }
                NftExpressions.cmp(w, NFT_REG_1, NFT_CMP_NEQ, net);
            }, text));
        }

        /** {@code log group G}: a copy of the packet to NFLOG group G. */
        public Builder logGroup(int group) {
            if (group < 0 || group > 0xffff) {
                throw new IllegalArgumentException("NFLOG group " + group + " out of 0..65535");
            }
            return add(part(w -> NftExpressions.log(w, group), "log group " + group));
        }

        public NftRule build() {
            return new NftRule(parts, family, null);
        }

        private static Part part(java.util.function.Consumer<NetlinkWriter> encode, String text) {
            return new Part() {
                @Override
                public void encode(NetlinkWriter w) {
                    encode.accept(w);
                }

                @Override
                public String text() {
                    return text;
                }
            };
        }
    }
}
