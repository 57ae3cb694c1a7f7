package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.ComponentConfig;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The API client of a block's {@code kubeconfig:} and {@code context:} keys (both optional), checked
 * when the block is read; the client itself is made only when the provider starts, so that
 * {@code pmtud validate} contacts nothing.
 */
final class ApiClients {
    /** The keys {@link #from} reads. */
    static final List<String> KEYS = List.of("kubeconfig", "context");

    private ApiClients() {
    }

    /** Checks the block's {@code kubeconfig} and {@code context}; returns what makes the client. */
    static Supplier<KubernetesClient> from(ComponentConfig config) {
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
        return () -> new KubernetesClientBuilder().withConfig(clientConfig(kubeconfig, kubeContext)).build();
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
