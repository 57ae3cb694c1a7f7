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
        assertTrue(f.keys().containsAll(java.util.Set.of("node-selector", "address-type", "kubeconfig")), f.keys().toString());
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
