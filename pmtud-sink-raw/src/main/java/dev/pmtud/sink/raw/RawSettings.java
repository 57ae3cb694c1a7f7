package dev.pmtud.sink.raw;

import dev.pmtud.api.ComponentConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * A raw sink's configuration as {@link RawSinkFactory} checked it.
 *
 * @param config        the block, for messages ({@code sinks[0] (raw): ...})
 * @param label         the sink's name, its {@code sink} tag
 * @param interfaceName {@code interface:}, or {@code null} (l2 modes: the default route's; l3, ipip: none)
 * @param ttl           TTL / hop limit of the new (l3) or outer (ipip) header
 * @param sources       {@code source:}, at most one address per family
 * @param refresh       how often own addresses and neighbours are read again
 */
record RawSettings(ComponentConfig config, String label, Mode mode, String interfaceName, int ttl,
                   List<InetAddress> sources, Duration refresh) {
}
