package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Addresses read from Kubernetes objects that fabric8 informers list, then watch: the client setup,
 * the first-list wait, failure reporting and the recomputed set that the {@code kubernetes} (Nodes)
 * and {@code kubernetes-services} (Services) providers share.
 *
 * <p>An informer re-lists when its watch expires (410 Gone) or the API server goes away, retrying
 * with fabric8's exponential back-off; each failed list or watch is reported through
 * {@link PeerListener#refreshFailed} and the last good set stays in force meanwhile. Every change
 * recomputes the full set from the informers' caches and reports it when it differs from the last
 * one reported.
 *
 * @param <T> the kind of object read
 */
abstract class InformerAddressProvider<T extends HasMetadata> implements PeerProvider {

    private final Supplier<KubernetesClient> clientFactory;
    private final Duration startTimeout;
    /** For messages: {@code kubernetes peers}, {@code kubernetes services}. */
    private final String what;
    /** The resource, plural, for messages and the RBAC hint: {@code nodes}, {@code services}. */
    private final String resource;
    protected final System.Logger log;

    private final Object lock = new Object();
    private KubernetesClient client;
    private volatile List<SharedIndexInformer<T>> informers;
    private PeerListener listener;
    private Set<InetAddress> lastReported;
    private volatile boolean closed;

    InformerAddressProvider(Supplier<KubernetesClient> clientFactory, Duration startTimeout, String what, String resource,
                            System.Logger log) {
        this.clientFactory = clientFactory;
        this.startTimeout = startTimeout;
        this.what = what;
        this.resource = resource;
        this.log = log;
    }

    /** The informers (not yet started) whose caches hold the objects read: one, or one per namespace. */
    abstract List<SharedIndexInformer<T>> informers(KubernetesClient client);

    /** Adds what {@code item} contributes to the set. */
    abstract void addAddresses(T item, Set<InetAddress> out);

    @Override
    public void start(PeerListener peerListener) throws IOException {
        List<SharedIndexInformer<T>> started;
        synchronized (lock) {
            if (informers != null) {
                throw new IllegalStateException(what + " provider started twice");
            }
            listener = peerListener;
            try {
                client = clientFactory.get();
            } catch (KubernetesClientException e) {
                throw new IOException(what + ": cannot configure the API client (" + e.getMessage()
                        + "); run in a pod with a service account, or set 'kubeconfig' to a readable kubeconfig file", e);
            } catch (IllegalArgumentException e) {
                throw new IOException(what + ": " + e.getMessage(), e);
            }
            started = List.copyOf(informers(client));
            for (SharedIndexInformer<T> informer : started) {
                informer.exceptionHandler(this::onFailure);
                informer.addEventHandler(new ResourceEventHandler<T>() {
                    @Override
                    public void onAdd(T item) {
                        refresh();
                    }

                    @Override
                    public void onUpdate(T before, T after) {
                        refresh();
                    }

                    @Override
                    public void onDelete(T item, boolean finalStateUnknown) {
                        refresh();
                    }

                    @Override
                    public void onNothing() {
                        refresh();
                    }
                });
            }
            informers = started;
        }
        CompletableFuture<?>[] lists = started.stream().map(i -> i.start().toCompletableFuture()).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(lists).get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            refresh();
        } catch (TimeoutException e) {
            log.log(System.Logger.Level.WARNING, what + ": no " + resource + " list from " + client.getMasterUrl()
                    + " within " + startTimeout.toMillis() + "ms; starting without these addresses and retrying in the background");
        } catch (ExecutionException e) {
            // The exception handler has counted it and the informer keeps retrying.
            log.log(System.Logger.Level.WARNING, what + ": first " + resource + " list failed (" + e.getCause()
                    + "); retrying in the background");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted while listing " + resource, e);
        }
    }

    /** Called by an informer for every failed list or watch; {@code true} means keep retrying. */
    private boolean onFailure(boolean wasStarted, Throwable t) {
        if (closed) {
            return false;
        }
        String reason = reason(t);
        String detail = "listing/watching " + resource + " at " + (client == null ? "?" : client.getMasterUrl()) + " failed: "
                + message(t) + ("forbidden".equals(reason) ? " (the service account needs get/list/watch on " + resource
                + ": see the ClusterRole)" : "") + "; retrying with back-off";
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
            if (closed || informers == null) {
                return;
            }
            Set<InetAddress> addresses = new LinkedHashSet<>();
            for (SharedIndexInformer<T> informer : informers) {
                for (T item : informer.getStore().list()) {
                    addAddresses(item, addresses);
                }
            }
            Set<InetAddress> now = Collections.unmodifiableSet(addresses);
            if (now.equals(lastReported)) {
                return;
            }
            lastReported = now;
            log.log(System.Logger.Level.DEBUG, () -> what + ": " + now.size() + " addresses " + now);
            listener.peersChanged(now);
        }
    }

    /** Whether every informer has a watch open right now (tests; a health signal). */
    boolean watching() {
        List<SharedIndexInformer<T>> all = informers;
        return all != null && all.stream().allMatch(SharedIndexInformer::isWatching);
    }

    @Override
    public void close() {
        List<SharedIndexInformer<T>> all;
        KubernetesClient c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = informers;
            c = client;
        }
        if (all != null) {
            all.forEach(SharedIndexInformer::stop);
        }
        if (c != null) {
            c.close();
        }
    }
}
