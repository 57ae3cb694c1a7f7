package dev.pmtud.api;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Address literals parsed by the JDK, not by {@link Values}: the expected side of tests that check
 * pmtud's own parsing. (Packet builders live in the testkit, which this module cannot use.)
 */
final class Inet {
    private Inet() {
    }

    static InetAddress of(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
