package dev.pmtud.sys.nftables;

import java.nio.charset.StandardCharsets;

/**
 * The user data nft keeps on tables, chains and rules (libnftnl's {@code nftnl_udata} TLVs:
 * {@code u8 type; u8 len; value}); type 0 is the comment on all three ({@code NFTNL_UDATA_*_COMMENT}),
 * a NUL-terminated string that {@code nft list} shows as {@code comment "..."}.
 */
public final class NftUserdata {
    private NftUserdata() {
    }

    static final int COMMENT = 0;
    /** nft refuses longer comments (NFTNL_UDATA_COMMENT_MAXLEN). */
    public static final int COMMENT_MAX = 128;

    /** The user data holding only {@code comment}. */
    public static byte[] comment(String comment) {
        byte[] text = comment.getBytes(StandardCharsets.UTF_8);
        if (text.length + 1 > COMMENT_MAX || comment.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("nftables comment must be at most " + (COMMENT_MAX - 1) + " bytes without NUL: " + comment);
        }
        byte[] out = new byte[2 + text.length + 1];
        out[0] = COMMENT;
        out[1] = (byte) (text.length + 1);
        System.arraycopy(text, 0, out, 2, text.length);
        return out;
    }

    /** The comment in {@code userdata}, or null when there is none (or the TLVs are malformed). */
    public static String comment(byte[] userdata) {
        if (userdata == null) {
            return null;
        }
        int p = 0;
        while (p + 2 <= userdata.length) {
            int type = userdata[p] & 0xff;
            int len = userdata[p + 1] & 0xff;
            if (p + 2 + len > userdata.length) {
                return null;
            }
            if (type == COMMENT && len > 0) {
                int n = 0;
                while (n < len && userdata[p + 2 + n] != 0) {
                    n++;
                }
                return new String(userdata, p + 2, n, StandardCharsets.UTF_8);
            }
            p += 2 + len;
        }
        return null;
    }
}
