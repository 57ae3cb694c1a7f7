package dev.pmtud.sys.nftables;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the messages nft printed with {@code --debug=mnl} (libmnl's {@code mnl_nlmsg_fprintf}
 * layout: header fields, then the payload four bytes a line, attribute headers as
 * {@code |len|flags|type|}) back into bytes. The fixtures in src/test/resources/nftables are
 * nft's own output, so the encoder is checked against what nft sends, not against itself.
 */
final class MnlDump {
    /** One message: its type and everything after {@code struct nlmsghdr}. */
    record Message(int type, byte[] payload) {
    }

    private static final Pattern LENGTH = Pattern.compile("^\\|\\s+(\\d{10})\\s+\\|\\s+\\| message length \\|");
    private static final Pattern TYPE = Pattern.compile("^\\| (\\d{5}) \\| [A-Z-]{4} \\|");
    private static final Pattern BYTES = Pattern.compile("^\\| ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})\\s+\\|\\s+\\|\\s+(data|extra header)\\s+\\|");
    private static final Pattern ATTR = Pattern.compile("^\\|(\\d{5})\\|([N-])([B-])\\|(\\d{5})\\|");

    /** The messages between NFNL_MSG_BATCH_BEGIN and _END (what the transaction changes). */
    static List<Message> batchMessages(String resource) throws IOException {
        List<Message> all = read(resource);
        List<Message> out = new ArrayList<>();
        boolean inside = false;
        for (Message m : all) {
            if (m.type() == NfTables.NFNL_MSG_BATCH_BEGIN) {
                inside = true;
            } else if (m.type() == NfTables.NFNL_MSG_BATCH_END) {
                inside = false;
            } else if (inside) {
                out.add(m);
            }
        }
        return out;
    }

    static List<Message> read(String resource) throws IOException {
        String text;
        try (InputStream in = MnlDump.class.getResourceAsStream("/nftables/" + resource)) {
            if (in == null) {
                throw new IOException("no test resource nftables/" + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Message> out = new ArrayList<>();
        int length = -1;
        int type = -1;
        ByteArrayOutputStream payload = null;
        for (String line : text.split("\n")) {
            Matcher m;
            if ((m = LENGTH.matcher(line)).find()) {
                finish(out, length, type, payload);
                length = Integer.parseInt(m.group(1));
                type = -1;
                payload = new ByteArrayOutputStream();
            } else if (type < 0 && (m = TYPE.matcher(line)).find()) {
                type = Integer.parseInt(m.group(1));
            } else if (payload != null && (m = BYTES.matcher(line)).find()) {
                for (int i = 1; i <= 4; i++) {
                    payload.write(Integer.parseInt(m.group(i), 16));
                }
            } else if (payload != null && (m = ATTR.matcher(line)).find()) {
                int len = Integer.parseInt(m.group(1));
                int t = Integer.parseInt(m.group(4)) | (m.group(2).equals("N") ? 0x8000 : 0) | (m.group(3).equals("B") ? 0x4000 : 0);
                payload.write(len & 0xff);
                payload.write(len >>> 8);
                payload.write(t & 0xff);
                payload.write(t >>> 8);
            }
        }
        finish(out, length, type, payload);
        return out;
    }

    private static void finish(List<Message> out, int length, int type, ByteArrayOutputStream payload) {
        if (payload == null) {
            return;
        }
        byte[] p = payload.toByteArray();
        if (p.length != length - 16) {
            throw new IllegalStateException("message of type " + type + " says " + length + " bytes but the dump holds " + (16 + p.length));
        }
        out.add(new Message(type, p));
    }
}
