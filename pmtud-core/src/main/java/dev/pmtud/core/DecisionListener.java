package dev.pmtud.core;

import dev.pmtud.api.Packet;

/**
 * Told what happened to every packet, on the source thread, while the runtime's lock is held (so
 * calls never overlap). For replay reports and tests: it must be quick and must not keep the packet.
 */
@FunctionalInterface
public interface DecisionListener {

    /**
     * @param pipeline the name of the pipeline that decided ({@code main} in the single-pipeline form)
     * @param decision invalid, dropped (by which filter) or forwarded, with the reason; the same
     *                 preallocated instance for every packet decided alike
     */
    void decided(String pipeline, Packet packet, Decision decision);
}
