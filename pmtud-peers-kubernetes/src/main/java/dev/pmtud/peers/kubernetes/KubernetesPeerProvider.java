package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.Values;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Peers from the Kubernetes API: every Node that matches the selector, except this node, by the
 * chosen address type. One informer over the nodes ({@link InformerAddressProvider}: list, watch,
 * re-list, failures reported, the last good set kept); a node added, deleted, relabelled or
 * readdressed recomputes the set.
 */
final class KubernetesPeerProvider extends InformerAddressProvider<Node> {

    private final LabelSelector selector;
    private final String addressType;
    private final boolean firstAddressFallback;
    private final String ownNode;

    KubernetesPeerProvider(Supplier<KubernetesClient> clientFactory, LabelSelector selector, String addressType,
            String ownNode, Duration startTimeout, System.Logger log) {
        this(clientFactory, selector, addressType, false, ownNode, startTimeout, log);
    }

    /**
     * @param firstAddressFallback a node without an address of {@code addressType} is a peer at its
     *                             first address of any type (go-pmtud's rule, {@code getInternalIP()}
     *                             in its {@code internal/node/reconciler.go})
     */
    KubernetesPeerProvider(Supplier<KubernetesClient> clientFactory, LabelSelector selector, String addressType,
            boolean firstAddressFallback, String ownNode, Duration startTimeout, System.Logger log) {
        super(clientFactory, startTimeout, "kubernetes peers", "nodes", log);
        this.selector = selector;
        this.addressType = addressType;
        this.firstAddressFallback = firstAddressFallback;
        this.ownNode = ownNode;
    }

    @Override
    List<SharedIndexInformer<Node>> informers(KubernetesClient client) {
        return List.of(client.nodes().runnableInformer(0));
    }

    @Override
    void addAddresses(Node node, Set<InetAddress> out) {
        if (node.getMetadata() == null || ownNode.equals(node.getMetadata().getName())) {
            return;
        }
        if (!selector.matches(node.getMetadata().getLabels())) {
            return;
        }
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return;
        }
        boolean found = false;
        for (NodeAddress a : node.getStatus().getAddresses()) {
            if (addressType.equals(a.getType()) && a.getAddress() != null) {
                found |= add(node, a, out);
            }
        }
        if (!found && firstAddressFallback && !node.getStatus().getAddresses().isEmpty()) {
            add(node, node.getStatus().getAddresses().get(0), out);
        }
    }

    private boolean add(Node node, NodeAddress a, Set<InetAddress> out) {
        try {
            out.add(Values.parseAddress(a.getAddress()));
            return true;
        } catch (IllegalArgumentException | NullPointerException e) {
            log.log(System.Logger.Level.DEBUG, () -> "kubernetes peers: node " + node.getMetadata().getName()
                    + " has a " + a.getType() + " address that is not an IP: " + a.getAddress());
            return false;
        }
    }
}
