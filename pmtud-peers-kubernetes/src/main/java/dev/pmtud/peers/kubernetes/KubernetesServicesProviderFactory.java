package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code { type: kubernetes-services, namespaces: [default, ingress], label-selector: "app=web",
 * kubeconfig: /path, context: name, start-timeout: 10s }}: the cluster's Service addresses (cluster,
 * external and load-balancer IPs), watched through the API server. Meant for {@code cluster.addresses}
 * (what the service-addresses filter keeps), not for {@code peers} (nothing listens there).
 */
public final class KubernetesServicesProviderFactory implements PeerProviderFactory {
    /** A namespace name (a DNS label). */
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    @Override
    public String type() {
        return "kubernetes-services";
    }

    @Override
    public String description() {
        return "the cluster's Service IPs (cluster, external and load-balancer IPs) from the Kubernetes API;"
                + " for cluster.addresses";
    }

    @Override
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>(List.of("namespaces", "label-selector", "start-timeout"));
        keys.addAll(ApiClients.KEYS);
        return keys;
    }

    @Override
    public PeerProvider create(ComponentConfig config, PipelineContext context) {
        LabelSelector selector = LabelSelector.from(config, "label-selector");
        List<String> namespaces = config.has("namespaces") ? config.strings("namespaces") : List.of();
        for (String ns : namespaces) {
            if (!NAMESPACE.matcher(ns).matches()) {
                throw config.error("namespaces", "has '" + ns + "', which is not a namespace name (lower-case letters, digits"
                        + " and '-'); list namespaces like [default, ingress], or leave the key out for every namespace");
            }
        }
        Duration startTimeout = config.duration("start-timeout", Duration.ofSeconds(10));
        return new KubernetesServicesProvider(ApiClients.from(config), namespaces, selector, startTimeout, context.logger());
    }
}
