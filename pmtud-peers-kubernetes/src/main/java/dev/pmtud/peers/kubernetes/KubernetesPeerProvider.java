package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.Values;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Peers from the Kubernetes API: every Node that matches the selector, except this node, by the
 * chosen address type.
 *
 * <p>A fabric8 informer lists the nodes, then watches them. It re-lists when the watch expires
 * (410 Gone) or the API server goes away, retrying with fabric8's exponential back-off; each failed
 * list or watch is reported through {@link PeerListener#refreshFailed} and the last good set stays
 * in force meanwhile. Every change (node added, deleted, relabelled, readdressed) recomputes the
 * full set from the informer's cache and reports it when it differs from the last one reported.
 */
final class KubernetesPeerProvider implements PeerProvider {

    private final Supplier<KubernetesClient> clientFactory;
    private final LabelSelector selector;
    private final String addressType;
    private final boolean firstAddressFallback;
    private final String ownNode;
    private final Duration startTimeout;
    private final System.Logger log;

    private final Object lock = new Object();
    private KubernetesClient client;
    private volatile SharedIndexInformer<Node> informer;
    private PeerListener listener;
    private Set<InetAddress> lastReported;
    private volatile boolean closed;

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
        this.clientFactory = clientFactory;
        this.selector = selector;
        this.addressType = addressType;
        this.firstAddressFallback = firstAddressFallback;
        this.ownNode = ownNode;
        this.startTimeout = startTimeout;
        this.log = log;
    }

    @Override
    public void start(PeerListener peerListener) throws IOException {
        synchronized (lock) {
            if (informer != null) {
                throw new IllegalStateException("kubernetes peer provider started twice");
            }
            listener = peerListener;
            try {
                client = clientFactory.get();
            } catch (KubernetesClientException e) {
                throw new IOException("kubernetes peers: cannot configure the API client (" + e.getMessage()
                        + "); run in a pod with a service account, or set 'kubeconfig' to a readable kubeconfig file", e);
            } catch (IllegalArgumentException e) {
                throw new IOException("kubernetes peers: " + e.getMessage(), e);
            }
            informer = client.nodes().runnableInformer(0);
            informer.exceptionHandler(this::onFailure);
            informer.addEventHandler(new ResourceEventHandler<Node>() {
                @Override
                public void onAdd(Node node) {
                    refresh();
                }

                @Override
                public void onUpdate(Node before, Node after) {
                    refresh();
                }

                @Override
                public void onDelete(Node node, boolean finalStateUnknown) {
                    refresh();
                }

                @Override
                public void onNothing() {
                    refresh();
                }
            });
        }
        var started = informer.start();
        try {
            started.toCompletableFuture().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            refresh();
        } catch (TimeoutException e) {
            log.log(System.Logger.Level.WARNING, "kubernetes peers: no node list from " + client.getMasterUrl()
                    + " within " + startTimeout.toMillis() + "ms; starting without these peers and retrying in the background");
        } catch (ExecutionException e) {
            // The exception handler has counted it and the informer keeps retrying.
            log.log(System.Logger.Level.WARNING, "kubernetes peers: first node list failed (" + e.getCause()
                    + "); retrying in the background");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("kubernetes peers: interrupted while listing nodes", e);
        }
    }

    /** Called by the informer for every failed list or watch; {@code true} means keep retrying. */
    private boolean onFailure(boolean wasStarted, Throwable t) {
        if (closed) {
            return false;
        }
        String reason = reason(t);
        String detail = "listing/watching nodes at " + (client == null ? "?" : client.getMasterUrl()) + " failed: " + message(t)
                + ("forbidden".equals(reason) ? " (the service account needs get/list/watch on nodes: see the ClusterRole)" : "")
                + "; retrying with back-off";
        listener.refreshFailed(reason, detail);
        return true;
    }

    static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException) {
                int code = ((KubernetesClientException) c).getCode();
                if (code == 401) {
                    return "unauthorized";
                }
                if (code == 403) {
                    return "forbidden";
                }
                if (code == 410) {
                    return "expired";
                }
                if (code >= 500) {
                    return "server-error";
                }
            }
            if (c instanceof ConnectException || c instanceof java.net.http.HttpConnectTimeoutException
                    || c instanceof java.nio.channels.ClosedChannelException) {
                return "unreachable";
            }
            if (c instanceof IOException) {
                return "io-error";
            }
        }
        return "list-failed";
    }

    private static String message(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = t.getMessage();
        return root == t ? String.valueOf(m) : m + " (" + root + ")";
    }

    private void refresh() {
        synchronized (lock) {
            if (closed || informer == null) {
                return;
            }
            Set<InetAddress> peers = new LinkedHashSet<>();
            for (Node node : informer.getStore().list()) {
                addPeer(node, peers);
            }
            Set<InetAddress> now = Collections.unmodifiableSet(peers);
            if (now.equals(lastReported)) {
                return;
            }
            lastReported = now;
            log.log(System.Logger.Level.DEBUG, () -> "kubernetes peers: " + now.size() + " peers " + now);
            listener.peersChanged(now);
        }
    }

    private void addPeer(Node node, Set<InetAddress> out) {
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

    /** Whether the informer has a watch open right now (tests; a health signal). */
    boolean watching() {
        SharedIndexInformer<Node> i = informer;
        return i != null && i.isWatching();
    }

    @Override
    public void close() {
        SharedIndexInformer<Node> i;
        KubernetesClient c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            i = informer;
            c = client;
        }
        if (i != null) {
            i.stop();
        }
        if (c != null) {
            c.close();
        }
    }
}
