package dev.pmtud.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pmtud.testkit.Cmd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The test vector in docs/relay.md against three independent computations: the bytes laid out here
 * by hand with {@code javax.crypto.Mac}, openssl, and pmtud's {@link Signer} and {@link Verifier}.
 */
class TestVectorTest {
    private static final Path DOC = Path.of("..", "docs", "relay.md");
    private static final HexFormat HEX = HexFormat.of();

    /** The {@code name value} lines of the code block under "## Test vector". */
    static Map<String, String> vector() throws Exception {
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        Map<String, String> v = new HashMap<>();
        int i = lines.indexOf("## Test vector");
        while (!lines.get(i).startsWith("```")) {
            i++;
        }
        for (i++; !lines.get(i).startsWith("```"); i++) {
            String[] kv = lines.get(i).trim().split("\\s+", 2);
            v.put(kv[0], kv[1]);
        }
        return v;
    }

    @Test
    void theDocumentedDatagramIsWhatTheSpecificationComputes() throws Exception {
        Map<String, String> v = vector();
        byte[] key = HEX.parseHex(v.get("key"));
        long ts = Long.parseLong(v.get("timestamp"));
        byte[] packet = HEX.parseHex(v.get("packet"));
        assertArrayEquals(key, Base64.getDecoder().decode(v.get("key-base64")), "key-base64 is the key");

        // the header, laid out by hand from the table in the document
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(key);
        byte[] header = new byte[16];
        header[0] = 'P';
        header[1] = 'M';
        header[2] = 1;
        header[3] = 0;
        System.arraycopy(sha, 0, header, 4, 4);
        for (int b = 0; b < 8; b++) {
            header[8 + b] = (byte) (ts >>> (56 - 8 * b));
        }
        assertEquals(v.get("key-id"), HEX.formatHex(sha, 0, 4));
        assertEquals(v.get("header"), HEX.formatHex(header));

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(header);
        byte[] expectedMac = mac.doFinal(packet);
        assertEquals(v.get("mac"), HEX.formatHex(expectedMac), "javax.crypto.Mac");
        assertEquals(v.get("datagram"), v.get("header") + v.get("packet") + v.get("mac"));

        // pmtud's signer, given the same key, time and packet
        Signer signer = new Signer(RelayKeys.of(key));
        signer.sign(packet, 0, packet.length, ts);
        assertArrayEquals(header, signer.header, "Signer header");
        assertArrayEquals(expectedMac, signer.mac, "Signer MAC");

        // pmtud's verifier accepts the documented datagram at its own time, and finds the packet
        byte[] datagram = HEX.parseHex(v.get("datagram"));
        Verifier verifier = new Verifier(RelayKeys.of(key), 5_000_000_000L, new SeenSet(4));
        assertEquals(Verifier.ACCEPTED, verifier.check(datagram, 0, datagram.length, ts));
        assertEquals(16, verifier.packetOffset());
        assertEquals(packet.length, verifier.packetLength());
    }

    @Test
    void opensslComputesTheDocumentedMac() throws Exception {
        Map<String, String> v = vector();
        Path input = Files.createTempFile("relay-vector", ".bin");
        try {
            Files.write(input, HEX.parseHex(v.get("header") + v.get("packet")));
            Cmd.Result r = Cmd.run("openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + v.get("key"), "-r",
                    input.toString());
            assertEquals(v.get("mac"), r.stdout().trim().split("\\s+")[0]);
        } finally {
            Files.deleteIfExists(input);
        }
    }

    @Test
    void hmacMatchesJavaxCryptoForShortAndLongKeys() throws Exception {
        HmacSha256 h = new HmacSha256();
        byte[] a = HEX.parseHex("504d01000102030400000000000000ff");
        byte[] b = new byte[777];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        for (int keyLength : new int[] {32, 64, 65, 100}) {
            byte[] key = new byte[keyLength];
            for (int i = 0; i < keyLength; i++) {
                key[i] = (byte) (7 * i + 3);
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(a);
            byte[] expected = mac.doFinal(b);
            byte[] out = new byte[40];
            h.compute(new RelayKey(key), a, 0, a.length, b, 0, b.length, out, 4);
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, 4, 36), "key of " + keyLength + " bytes");
        }
    }
}
