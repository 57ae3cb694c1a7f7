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
     * @param stage  {@code "invalid"}, the label of the filter that dropped it (a loop guard is
     *               {@code <sink name>-loop-guard}), or {@code "forwarded"}
     * @param reason the invalid or drop reason; {@code null} when forwarded
     */
    void decided(String pipeline, Packet packet, String stage, String reason);
}
