package dev.pmtud.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time sum against RFC 1071 done the plain way: 16-bit words, carries folded at the end. */
class InternetChecksumTest {
    private static int plain(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    @Test
    void equalsTheWordByWordSumAtEveryOffsetAndLength() {
        Random r = new Random(1071);
        byte[] b = new byte[1600];
        for (int round = 0; round < 200; round++) {
            r.nextBytes(b);
            if (round % 4 == 0) {
                java.util.Arrays.fill(b, (byte) 0xff); // every carry at once
            }
            int off = r.nextInt(16);
            for (int len : new int[] {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 28, 64, 575, 576, 1279, 1280, 1500 + r.nextInt(80)}) {
                assertEquals(plain(b, off, len), InternetChecksum.fold(InternetChecksum.add(0, b, off, len)),
                        "offset " + off + ", length " + len + ", round " + round);
            }
        }
    }

    @Test
    void aMessageWithItsChecksumSumsToZero() {
        // an ICMP echo request: type 8, code 0, checksum 0xf7ff over id 0, sequence 0
        byte[] echo = {8, 0, (byte) 0xf7, (byte) 0xff, 0, 0, 0, 0};
        assertEquals(0, InternetChecksum.fold(InternetChecksum.add(0, echo, 0, echo.length)));
    }
}
