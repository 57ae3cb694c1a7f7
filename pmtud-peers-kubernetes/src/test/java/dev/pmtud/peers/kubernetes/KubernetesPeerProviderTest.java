package dev.pmtud.peers.kubernetes;

import static dev.pmtud.peers.kubernetes.RecordingListener.ips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.testkit.Await;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesPeerProviderTest {
    static final String WORKER = "node-role.kubernetes.io/worker";

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    static KubernetesMockServer crudServer() {
        return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    }

    private KubernetesMockServer startServer(int port) {
        KubernetesMockServer server = crudServer();
        server.init(InetAddress.getLoopbackAddress(), port);
        cleanup.add(server::destroy);
        return server;
    }

    /**
     * The JDK client upgrades plain-http connections to HTTP/2 (h2c); the mock server's streaming
     * watch over h2c delivers no events, so the tests speak HTTP/1.1 to it. (A real API server
     * negotiates HTTP/2 over TLS, where watches work.)
     */
    static final class Http11ClientFactory extends JdkHttpClientFactory {
        @Override
        protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
            builder.version(java.net.http.HttpClient.Version.HTTP_1_1);
        }
    }

    static KubernetesClient client(String url) {
        return new KubernetesClientBuilder().withHttpClientFactory(new Http11ClientFactory()).withConfig(fastConfig(url)).build();
    }

    /** A client with short back-off so that retries happen within a test's patience. */
    static Config fastConfig(String url) {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url).withTrustCerts(true)
                .withWatchReconnectInterval(100).withWatchReconnectLimit(-1)
                .withRequestRetryBackoffInterval(50).withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(2000).withRequestTimeout(5000).build();
    }

    private KubernetesPeerProvider provider(String url, String selector, String addressType, String self) {
        KubernetesPeerProvider p = new KubernetesPeerProvider(
                () -> client(url),
                LabelSelector.parse(selector), addressType, self, RecordingListener.WAIT, System.getLogger("test"));
        cleanup.add(p::close);
        return p;
    }

    static Node node(String name, Map<String, String> labels, String... typeAndAddress) {
        List<NodeAddress> addresses = new ArrayList<>();
        for (int i = 0; i < typeAndAddress.length; i += 2) {
            addresses.add(new NodeAddress(typeAndAddress[i + 1], typeAndAddress[i]));
        }
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewStatus().withAddresses(addresses).endStatus().build();
    }

    static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static String url(KubernetesMockServer server) {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    @Test
    void followsNodesCreatedRelabelledReaddressedAndDeletedAndSkipsItself() throws Exception {
        KubernetesMockServer server = startServer(0);
        KubernetesClient api = server.createClient();
        cleanup.add(api);
        api.nodes().resource(node("node-a", labels(WORKER, ""), "InternalIP", "192.0.2.1")).create();
        api.nodes().resource(node("node-b", labels(WORKER, ""), "InternalIP", "192.0.2.2")).create();
        api.nodes().resource(node("node-c", labels("role", "infra"), "InternalIP", "192.0.2.3")).create();

        RecordingListener listener = new RecordingListener();
        provider(url(server), WORKER + "=", "InternalIP", "node-a").start(listener);
        // start() reports the first set before it returns: node-a is this node, node-c is not a worker.
        assertEquals(ips("192.0.2.2"), listener.sets.poll(), "first set, reported by start()");

        api.nodes().resource(node("node-d", labels(WORKER, ""), "InternalIP", "192.0.2.4")).create();
        listener.awaitPeers(ips("192.0.2.2", "192.0.2.4"));

        api.nodes().withName("node-c").edit(n -> { n.getMetadata().getLabels().put(WORKER, ""); return n; });
        listener.awaitPeers(ips("192.0.2.2", "192.0.2.3", "192.0.2.4"));

        api.nodes().withName("node-b").edit(n -> { n.getMetadata().getLabels().remove(WORKER); return n; });
        listener.awaitPeers(ips("192.0.2.3", "192.0.2.4"));

        api.nodes().withName("node-d").edit(n -> {
            n.getStatus().setAddresses(List.of(new NodeAddress("192.0.2.14", "InternalIP")));
            return n;
        });
        listener.awaitPeers(ips("192.0.2.3", "192.0.2.14"));

        api.nodes().withName("node-c").delete();
        listener.awaitPeers(ips("192.0.2.14"));

        // This node changing never shows up among the peers.
        api.nodes().withName("node-a").edit(n -> {
            n.getStatus().setAddresses(List.of(new NodeAddress("192.0.2.100", "InternalIP")));
            return n;
        });
        api.nodes().withName("node-d").delete();
        listener.awaitPeers(ips());
        assertTrue(listener.history.stream().noneMatch(s -> s.contains(ips("192.0.2.100").iterator().next())
                || s.contains(ips("192.0.2.1").iterator().next())), "this node's addresses never reported: " + listener.history);
        assertTrue(listener.failures.isEmpty(), "no failures against a healthy server: " + listener.failures);
    }

    @Test
    void usesOnlyTheConfiguredAddressTypeBothFamilies() throws Exception {
        KubernetesMockServer server = startServer(0);
        KubernetesClient api = server.createClient();
        cleanup.add(api);
        api.nodes().resource(node("self", labels(), "InternalIP", "192.0.2.1", "ExternalIP", "198.51.100.1")).create();
        api.nodes().resource(node("n2", labels(), "InternalIP", "192.0.2.2", "InternalIP", "2001:db8::2",
                "ExternalIP", "198.51.100.2", "Hostname", "n2")).create();
        api.nodes().resource(node("n3", labels(), "InternalIP", "192.0.2.3", "ExternalIP", "2001:db8:1::3")).create();
        api.nodes().resource(node("n4", labels(), "Hostname", "n4")).create(); // no usable address: no peer

        RecordingListener internal = new RecordingListener();
        provider(url(server), "", "InternalIP", "self").start(internal);
        internal.awaitPeers(ips("192.0.2.2", "2001:db8::2", "192.0.2.3"));

        RecordingListener external = new RecordingListener();
        provider(url(server), "", "ExternalIP", "self").start(external);
        external.awaitPeers(ips("198.51.100.2", "2001:db8:1::3"));
    }

    /** go-pmtud's rule: the InternalIP, else the node's first address (of any type); a Hostname there is no peer. */
    @Test
    void firstAddressFallbackTakesTheFirstAddressOfANodeWithoutTheType() throws Exception {
        KubernetesMockServer server = startServer(0);
        KubernetesClient api = server.createClient();
        cleanup.add(api);
        api.nodes().resource(node("self", labels(), "InternalIP", "192.0.2.1")).create();
        api.nodes().resource(node("n2", labels(), "ExternalIP", "198.51.100.2", "InternalIP", "192.0.2.2")).create();
        api.nodes().resource(node("n3", labels(), "ExternalIP", "198.51.100.3", "ExternalIP", "198.51.100.33")).create();
        api.nodes().resource(node("n4", labels(), "Hostname", "n4", "ExternalIP", "198.51.100.4")).create();

        RecordingListener listener = new RecordingListener();
        KubernetesPeerProvider p = new KubernetesPeerProvider(() -> client(url(server)), LabelSelector.parse(""), "InternalIP", true,
                "self", RecordingListener.WAIT, System.getLogger("test"));
        cleanup.add(p::close);
        p.start(listener);
        listener.awaitPeers(ips("192.0.2.2", "198.51.100.3"));
    }

    @Test
    void survivesAnApiServerThatIsDownAtStartAndRestartsLater() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port;
        RecordingListener listener = new RecordingListener();
        KubernetesPeerProvider provider = new KubernetesPeerProvider(
                () -> client(url),
                LabelSelector.parse(""), "InternalIP", "self", Duration.ofMillis(300), System.getLogger("test"));
        cleanup.add(provider::close);

        provider.start(listener); // returns although nothing listens: the informer keeps retrying
        RecordingListener.Failure first = listener.awaitFailure();
        assertEquals("unreachable", first.reason(), first.detail());
        assertTrue(listener.sets.isEmpty(), "no set reported while the API server is down");

        KubernetesMockServer server = startServer(port);
        KubernetesClient api = server.createClient();
        api.nodes().resource(node("n1", labels(), "InternalIP", "192.0.2.11")).create();
        api.nodes().resource(node("n2", labels(), "InternalIP", "192.0.2.12")).create();
        listener.awaitPeers(ips("192.0.2.11", "192.0.2.12"));
        api.close();

        // The API server restarts without the watch cache the provider's resource version came from:
        // the watch gets 410 Gone, and the re-list fails (503) until the server is ready.
        // Restart while a watch is open (the state a running daemon is in).
        Await.until(RecordingListener.WAIT, "the provider to open its watch", provider::watching);
        server.destroy();
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        KubernetesMockServer restarted = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        // As a real API server says it: the watch opens, then an ERROR event carries the 410.
        restarted.expect().get().withPath("/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=2&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open()
                .waitFor(200).andEmit(new WatchEvent(new StatusBuilder().withCode(410).withReason("Expired")
                        .withMessage("too old resource version: 2 (1)").build(), "ERROR"))
                .done().always();
        // After a 410 the informer lists afresh (no resourceVersion=0: not from a cache).
        restarted.expect().get().withPath("/api/v1/nodes")
                .andReturn(503, new StatusBuilder().withCode(503).withMessage("the server is starting").build()).always();
        restarted.init(InetAddress.getLoopbackAddress(), port);
        cleanup.add(restarted::destroy);
        KubernetesClient api2 = restarted.createClient();
        cleanup.add(api2);
        api2.nodes().resource(node("n1", labels(), "InternalIP", "192.0.2.11")).create();
        api2.nodes().resource(node("n3", labels(), "InternalIP", "192.0.2.13")).create();
        RecordingListener.Failure failure;
        do {
            failure = listener.awaitFailure(); // "unreachable" while it was down, then the 503s
        } while (!failure.reason().equals("server-error"));
        // The last good set ({n1, n2}) stays in force: nothing new is reported while the list fails.
        assertTrue(listener.sets.isEmpty(), "nothing reported while the list fails: " + listener.sets);

        restarted.clearExpectations(); // ready: the re-list now returns n1 and n3, and n2 is gone
        listener.awaitPeers(ips("192.0.2.11", "192.0.2.13"));
    }

    @Test
    void relistsWhenTheWatchExpiresWith410Gone() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        cleanup.add(server::destroy);
        KubernetesClient api = server.createClient();
        cleanup.add(api);
        Node n1 = api.nodes().resource(node("n1", labels(), "InternalIP", "192.0.2.21")).create();
        api.nodes().resource(node("n2", labels(), "InternalIP", "192.0.2.22")).create();
        String staleVersion = n1.getMetadata().getResourceVersion();

        // A lagging cache answers the first list with n1 only, and a watch from that version has
        // expired. Only a re-list after the 410 can reveal n2: the watch never will.
        NodeList stale = new NodeListBuilder().withNewMetadata().withResourceVersion(staleVersion).endMetadata()
                .withItems(n1).build();
        server.expect().get().withPath("/api/v1/nodes?resourceVersion=0").andReturn(200, stale).once();
        server.expect().get().withPath("/api/v1/nodes?allowWatchBookmarks=true&resourceVersion=" + staleVersion
                + "&timeoutSeconds=600&watch=true")
                .andReturn(410, new StatusBuilder().withCode(410).withReason("Expired").withMessage("too old resource version").build())
                .always();

        RecordingListener listener = new RecordingListener();
        provider(url(server), "", "InternalIP", "self").start(listener);
        assertEquals(ips("192.0.2.21"), listener.sets.poll(), "first set comes from the stale list");
        listener.awaitPeers(ips("192.0.2.21", "192.0.2.22"));
    }

    @Test
    void countsAForbiddenListAndSaysWhichPermissionIsMissing() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        cleanup.add(server::destroy);
        server.expect().get().withPath("/api/v1/nodes?resourceVersion=0")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("nodes is forbidden: User \"system:serviceaccount:pmtud:pmtud\" cannot list resource \"nodes\"").build())
                .always();

        RecordingListener listener = new RecordingListener();
        KubernetesPeerProvider provider = new KubernetesPeerProvider(
                () -> client(url(server)),
                LabelSelector.parse(""), "InternalIP", "self", Duration.ofMillis(300), System.getLogger("test"));
        cleanup.add(provider::close);
        provider.start(listener);
        RecordingListener.Failure f = listener.awaitFailure();
        assertEquals("forbidden", f.reason(), f.detail());
        assertTrue(f.detail().contains("get/list/watch on nodes"), f.detail());
        listener.awaitFailure(); // it keeps retrying
        assertTrue(listener.sets.isEmpty(), "no set reported without a list: " + listener.sets);
    }
}
