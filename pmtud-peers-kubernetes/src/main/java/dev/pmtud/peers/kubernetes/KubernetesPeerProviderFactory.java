package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code { type: kubernetes, node-selector: "node-role.kubernetes.io/worker=", address-type: InternalIP,
 * kubeconfig: /path }}: the other nodes of the cluster, watched through the API server.
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
        return Set.of("node-selector", "address-type", "kubeconfig", "start-timeout");
    }

    @Override
    public PeerProvider create(ComponentConfig config, PipelineContext context) {
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(config.string("node-selector", ""));
        } catch (IllegalArgumentException e) {
            throw config.error("node-selector", e.getMessage());
        }
        String addressType = config.oneOf("address-type", "InternalIP", "InternalIP", "ExternalIP");
        Duration startTimeout = config.duration("start-timeout", Duration.ofSeconds(10));
        String kubeconfig = config.string("kubeconfig", null);
        if (kubeconfig != null && !Files.isReadable(Path.of(kubeconfig))) {
            throw config.error("kubeconfig", "is '" + kubeconfig + "', which is not a readable file; "
                    + "give the path of a kubeconfig, or leave it out to use the pod's service account");
        }
        if (context.nodeName() == null || context.nodeName().isBlank()) {
            throw config.error("type", "needs this node's name to leave it out of the peers; set 'node:' "
                    + "(in a DaemonSet: node: ${NODE_NAME} with NODE_NAME from spec.nodeName)");
        }
        Supplier<KubernetesClient> clients = () -> new KubernetesClientBuilder().withConfig(clientConfig(kubeconfig)).build();
        return new KubernetesPeerProvider(clients, selector, addressType, context.nodeName(), startTimeout,
                context.logger());
    }

    /** In-cluster (service account) or ~/.kube/config by fabric8's rules, or the given kubeconfig. */
    static Config clientConfig(String kubeconfig) {
        return kubeconfig == null ? Config.autoConfigure(null) : Config.fromKubeconfig(new File(kubeconfig));
    }
}
