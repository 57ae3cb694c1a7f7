package dev.pmtud.api;

import java.util.Collection;
import java.util.List;

/**
 * Decides whether a packet goes on. Filters run in the order the configuration lists them and only
 * ever see valid packets ({@link Packet#isValid()}).
 *
 * <p>Use the packet's timestamp ({@link Packet#timestampNanos()}) as the clock, never the wall
 * clock, so that replaying a capture gives the decisions the live run gave.
 */
public interface Filter extends AutoCloseable {

    /** {@link Verdict#PASS} or a preallocated {@link Verdict#drop(String)}. Must not throw. */
    Verdict apply(Packet packet);

    /** Every reason {@link #apply} can return, so that each counter exists at zero from the start. */
    default Collection<String> dropReasons() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
