package dev.pmtud.example;

import dev.pmtud.api.Cidr;
import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.Filter;
import dev.pmtud.api.FilterFactory;
import dev.pmtud.api.PipelineContext;
import java.util.List;
import java.util.Set;

/**
 * {@code { type: allow-flows, sources: [192.0.2.10/32, 2001:db8::/64], ports: [443, 8443], match: all }}.
 *
 * <p>Registered in {@code META-INF/services/dev.pmtud.api.FilterFactory}; this jar dropped into
 * pmtud's {@code plugins/} directory is all it takes.
 */
public final class AllowFlowsFilterFactory implements FilterFactory {

    @Override
    public String type() {
        return "allow-flows";
    }

    @Override
    public String description() {
        return "forwards only messages about our own flows: embedded source address in 'sources', source port in 'ports'";
    }

    @Override
    public Set<String> keys() {
        return Set.of("sources", "ports", "match");
    }

    @Override
    public Filter create(ComponentConfig config, PipelineContext context) {
        List<Cidr> sources = config.networks("sources");
        boolean[] ports = ports(config);
        boolean anyPort = false;
        for (boolean p : ports) {
            anyPort |= p;
        }
        if (sources.isEmpty() && !anyPort) {
            throw config.error("sources", "and 'ports' are both empty; list the service networks (sources: [192.0.2.10/32]) "
                    + "and/or the service ports (ports: [443]) whose messages may pass");
        }
        boolean all = config.oneOf("match", "all", "all", "any").equals("all");
        return new AllowFlowsFilter(sources, anyPort ? ports : null, all);
    }

    /** Port numbers 1..65535 as a lookup table indexed by port. */
    private static boolean[] ports(ComponentConfig config) {
        boolean[] table = new boolean[65536];
        ConfigNode list = config.node().get("ports");
        List<ConfigNode> items = list == null ? List.of() : list.isList() ? list.items() : List.of(list);
        config.strings("ports"); // shape check: a value or a list of values
        for (ConfigNode item : items) {
            if (item.kind() == ConfigNode.Kind.NULL) {
                continue;
            }
            int port;
            try {
                port = Integer.parseInt(item.text().trim());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw item.error(config.what() + ": 'ports' has '" + item.text() + "'; each port must be a number from 1 to 65535");
            }
            table[port] = true;
        }
        return table;
    }
}
