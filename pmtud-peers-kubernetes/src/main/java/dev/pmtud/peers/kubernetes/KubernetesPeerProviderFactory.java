package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        String kubeContext = config.string("context", null);
        if (kubeContext != null && kubeContext.isBlank()) {
            throw config.error("context", "is empty; give the name of a context of the kubeconfig, or leave it out for its current-context");
        }
        if (kubeconfig != null) {
            try {
                clientConfig(kubeconfig, kubeContext); // a context the file does not have is a mistake in this block
            } catch (IllegalArgumentException e) {
                throw config.error("context", e.getMessage());
            } catch (RuntimeException e) {
                throw config.error("kubeconfig", "is '" + kubeconfig + "', which is not a kubeconfig fabric8 can read: " + e.getMessage());
            }
        }
        boolean fallback = config.bool("first-address-fallback", false);
        if (context.nodeName() == null || context.nodeName().isBlank()) {
            throw config.error("type", "needs this node's name to leave it out of the peers; set 'node:' "
                    + "(in a DaemonSet: node: ${NODE_NAME} with NODE_NAME from spec.nodeName)");
        }
        Supplier<KubernetesClient> clients = () -> new KubernetesClientBuilder().withConfig(clientConfig(kubeconfig, kubeContext)).build();
        return new KubernetesPeerProvider(clients, selector, addressType, fallback, context.nodeName(), startTimeout,
                context.logger());
    }

    /**
     * In-cluster (service account) or ~/.kube/config by fabric8's rules, or the given kubeconfig; with
     * {@code kubeContext}, that context of it instead of its current-context.
     *
     * @throws IllegalArgumentException when a kubeconfig was read and has no context of that name
     *         (fabric8 would quietly use the current-context instead)
     */
    static Config clientConfig(String kubeconfig, String kubeContext) {
        Config config = kubeconfig == null ? Config.autoConfigure(kubeContext) : Config.fromKubeconfig(kubeContext, new File(kubeconfig));
        if (kubeContext != null && config.getContexts() != null && !config.getContexts().isEmpty()) {
            List<String> names = config.getContexts().stream().map(NamedContext::getName).toList();
            if (!names.contains(kubeContext)) {
                throw new IllegalArgumentException("context '" + kubeContext + "' is not in the kubeconfig "
                        + (kubeconfig != null ? kubeconfig : "(KUBECONFIG or ~/.kube/config)") + "; it has " + String.join(", ", names));
            }
        }
        return config;
    }
}
