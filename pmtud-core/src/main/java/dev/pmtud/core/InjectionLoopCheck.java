package dev.pmtud.core;

import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Source;
import java.util.List;
import java.util.Set;

/**
 * Refuses a configuration in which a source of any pipeline captures from a device that a sink of
 * any pipeline injects packets into ({@link dev.pmtud.api.Sink#injectsInto()}): an injected copy
 * would be captured, relayed and injected again, a loop. Generic over the SPI: it knows only device
 * names, never component types.
 */
final class InjectionLoopCheck {
    /** A source's devices and where it is declared ({@code null} for a source given in code). */
    record Capture(String what, ConfigNode declaredAt, Set<String> devices) {
    }

    /** A sink's devices, named for messages. */
    record Injection(String pipeline, String sink, Set<String> devices) {
    }

    private InjectionLoopCheck() {
    }

    /** @throws dev.pmtud.api.ConfigException at the capturing source's block */
    static void check(List<Capture> captures, List<Injection> injections) {
        for (Capture c : captures) {
            boolean everywhere = c.devices().containsAll(Source.EVERY_INTERFACE);
            for (Injection i : injections) {
                for (String device : i.devices()) {
                    if (everywhere || c.devices().contains(device)) {
                        throw refusal(c, i, device, everywhere);
                    }
                }
            }
        }
    }

    private static RuntimeException refusal(Capture c, Injection i, String device, boolean everywhere) {
        String problem = c.what() + ": captures " + (everywhere ? "on every interface, " + device + " included," : "from " + device)
                + " where sink " + i.sink() + " of pipeline " + i.pipeline() + " injects relayed packets, so they would be"
                + " captured and relayed again (a loop); capture from the uplink only (like interface: eth0), never from "
                + device;
        if (c.declaredAt() != null) {
            return c.declaredAt().error(problem);
        }
        return new IllegalStateException(problem);
    }
}
