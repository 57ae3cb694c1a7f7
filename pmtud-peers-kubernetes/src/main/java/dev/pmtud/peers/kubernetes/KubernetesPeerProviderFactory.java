package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code { type: kubernetes, node-selector: "node-role.kubernetes.io/worker=", address-type: InternalIP,
 * kubeconfig: /path, context: name, first-address-fallback: false }}: the other nodes of the cluster,
 * watched through the API server.
 */
public final class KubernetesPeerProviderFactory implements PeerProviderFactory {

    @Override
    public String type() {
        return "kubernetes";
    }

    @Override
    public String description() {
        return "the cluster's other Node objects (label selector, InternalIP or ExternalIP), watched through the Kubernetes API";
    }

    @Override
    public Set<String> keys() {
        return Set.of("node-selector", "address-type", "kubeconfig", "context", "first-address-fallback", "start-timeout");
    }

    @Override
    public PeerProvider create(ComponentConfig config, PipelineContext context) {
        LabelSelector selector = LabelSelector.from(config, "node-selector");
        String addressType = config.oneOf("address-type", "InternalIP", "InternalIP", "ExternalIP");
        Duration startTimeout = config.duration("start-timeout", Duration.ofSeconds(10));
        boolean fallback = config.bool("first-address-fallback", false);
        if (context.nodeName() == null || context.nodeName().isBlank()) {
            throw config.error("type", "needs this node's name to leave it out of the peers; set 'node:' "
                    + "(in a DaemonSet: node: ${NODE_NAME} with NODE_NAME from spec.nodeName)");
        }
        Supplier<KubernetesClient> clients = ApiClients.from(config);
        return new KubernetesPeerProvider(clients, selector, addressType, fallback, context.nodeName(), startTimeout,
                context.logger());
    }
}
