package dev.pmtud.api;

/** Receives every packet a {@link Source} reads. Called on the source's own thread. */
@FunctionalInterface
public interface PacketHandler {
    /**
     * Processes one packet to completion. The packet is only valid during this call.
     * Never throws: whatever goes wrong downstream is counted by the runtime.
     */
    void handle(Packet packet);
}
