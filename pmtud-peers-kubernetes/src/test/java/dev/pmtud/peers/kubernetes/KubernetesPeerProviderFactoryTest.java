package dev.pmtud.peers.kubernetes;

import static dev.pmtud.peers.kubernetes.RecordingListener.ips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigException;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesPeerProviderFactoryTest {

    @TempDir
    Path dir;

    /** A component block as the YAML loader would give it: key i sits on line i + 2. */
    static ComponentConfig block(String... kv) {
        return Cfg.component("peers", "kubernetes", (Object[]) kv);
    }

    static PeerProviderFactory factory() {
        for (PeerProviderFactory f : ServiceLoader.load(PeerProviderFactory.class)) {
            if (f.type().equals("kubernetes")) {
                return f;
            }
        }
        throw new AssertionError("no PeerProviderFactory of type kubernetes registered in META-INF/services");
    }

    @Test
    void registeredWithItsKeys() {
        PeerProviderFactory f = factory();
        assertEquals(KubernetesPeerProviderFactory.class, f.getClass());
        assertTrue(f.keys().containsAll(java.util.Set.of("node-selector", "address-type", "kubeconfig", "context", "first-address-fallback")),
                f.keys().toString());
    }

    @Test
    void readsAKubeconfigFileAndWatchesThatCluster() throws Exception {
        KubernetesMockServer server = KubernetesPeerProviderTest.crudServer();
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient api = server.createClient()) {
            api.nodes().resource(KubernetesPeerProviderTest.node("me", Map.of(), "InternalIP", "192.0.2.1")).create();
            api.nodes().resource(KubernetesPeerProviderTest.node("other", Map.of(), "InternalIP", "192.0.2.2")).create();
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, String.join("\n",
                    "apiVersion: v1", "kind: Config", "current-context: test",
                    "clusters: [{name: mock, cluster: {server: '" + KubernetesPeerProviderTest.url(server) + "'}}]",
                    "users: [{name: u, user: {token: t}}]",
                    "contexts: [{name: test, context: {cluster: mock, user: u}}]", ""));
            RecordingListener listener = new RecordingListener();
            try (PeerProvider p = factory().create(block("kubeconfig", kubeconfig.toString(), "address-type", "InternalIP"),
                    new TestContext("me"))) {
                p.start(listener);
                listener.awaitPeers(ips("192.0.2.2"));
            }
        } finally {
            server.destroy();
        }
    }

    /**
     * A kubeconfig with two contexts, each naming its own cluster (two fake API servers): the
     * provider watches the cluster of {@code context}, not the file's current-context (go-pmtud's
     * {@code --kube_context}); a context the file lacks is a located error naming the ones it has.
     */
    @Test
    void contextPicksTheClusterOfThatContextNotTheCurrentOne() throws Exception {
        KubernetesMockServer a = KubernetesPeerProviderTest.crudServer();
        KubernetesMockServer b = KubernetesPeerProviderTest.crudServer();
        a.init(InetAddress.getLoopbackAddress(), 0);
        b.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient apiA = a.createClient(); KubernetesClient apiB = b.createClient()) {
            apiA.nodes().resource(KubernetesPeerProviderTest.node("me", Map.of(), "InternalIP", "192.0.2.1")).create();
            apiA.nodes().resource(KubernetesPeerProviderTest.node("in-a", Map.of(), "InternalIP", "192.0.2.2")).create();
            apiB.nodes().resource(KubernetesPeerProviderTest.node("me", Map.of(), "InternalIP", "198.51.100.1")).create();
            apiB.nodes().resource(KubernetesPeerProviderTest.node("in-b", Map.of(), "InternalIP", "198.51.100.2")).create();
            Path kubeconfig = twoContexts(KubernetesPeerProviderTest.url(a), KubernetesPeerProviderTest.url(b));

            RecordingListener current = new RecordingListener();
            try (PeerProvider p = factory().create(block("kubeconfig", kubeconfig.toString()), new TestContext("me"))) {
                p.start(current);
                current.awaitPeers(ips("192.0.2.2"));
            }
            RecordingListener inB = new RecordingListener();
            try (PeerProvider p = factory().create(block("kubeconfig", kubeconfig.toString(), "context", "cluster-b"), new TestContext("me"))) {
                p.start(inB);
                inB.awaitPeers(ips("198.51.100.2"));
            }
            assertTrue(inB.history.stream().noneMatch(s -> s.contains(ips("192.0.2.2").iterator().next())),
                    "never the current-context's cluster: " + inB.history);

            ConfigException unknown = assertThrows(ConfigException.class,
                    () -> factory().create(block("kubeconfig", kubeconfig.toString(), "context", "cluster-c"), new TestContext("me")));
            assertEquals(3, unknown.line(), unknown.getMessage());
            assertTrue(unknown.getMessage().contains("'context'") && unknown.getMessage().contains("cluster-c")
                    && unknown.getMessage().contains("cluster-a, cluster-b"), unknown.getMessage());
        } finally {
            a.destroy();
            b.destroy();
        }
    }

    private Path twoContexts(String urlA, String urlB) throws java.io.IOException {
        Path kubeconfig = dir.resolve("two-contexts");
        Files.writeString(kubeconfig, String.join("\n",
                "apiVersion: v1", "kind: Config", "current-context: cluster-a",
                "clusters: [{name: a, cluster: {server: '" + urlA + "'}}, {name: b, cluster: {server: '" + urlB + "'}}]",
                "users: [{name: u, user: {token: t}}]",
                "contexts: [{name: cluster-a, context: {cluster: a, user: u}}, {name: cluster-b, context: {cluster: b, user: u}}]", ""));
        return kubeconfig;
    }

    @Test
    void badValuesAreLocatedConfigErrors() {
        ConfigException selector = assertThrows(ConfigException.class,
                () -> factory().create(block("node-selector", "zone in (a"), new TestContext("me")));
        assertEquals(2, selector.line());
        assertTrue(selector.getMessage().startsWith("pmtud.yaml:2: peers[0] (kubernetes): 'node-selector'"), selector.getMessage());

        ConfigException type = assertThrows(ConfigException.class,
                () -> factory().create(block("address-type", "Hostname"), new TestContext("me")));
        assertTrue(type.getMessage().contains("allowed: InternalIP, ExternalIP"), type.getMessage());

        Path missing = dir.resolve("no-such-kubeconfig");
        ConfigException kubeconfig = assertThrows(ConfigException.class,
                () -> factory().create(block("node-selector", "", "kubeconfig", missing.toString()), new TestContext("me")));
        assertEquals(3, kubeconfig.line());
        assertTrue(kubeconfig.getMessage().contains(missing.toString()), kubeconfig.getMessage());

        ConfigException noNode = assertThrows(ConfigException.class,
                () -> factory().create(block(), new TestContext("")));
        assertTrue(noNode.getMessage().contains("NODE_NAME"), noNode.getMessage());
    }
}
