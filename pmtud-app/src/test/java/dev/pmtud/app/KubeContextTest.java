package dev.pmtud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.ConfigNode;
import dev.pmtud.api.PeerListener;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.Values;
import dev.pmtud.app.config.YamlConfigLoader;
import dev.pmtud.core.PluginRegistry;
import dev.pmtud.testkit.TestContext;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * go-pmtud's {@code --kube_context} with {@code --kubeconfig}: a kubeconfig naming two contexts, each
 * a fake API server (the one pmtud-peers-kubernetes' tests use) with its own nodes. The flags'
 * configuration, built through the plugin registry as the daemon builds it, finds its peers in the
 * context's cluster, not the file's current-context; and as go-pmtud does, every node but this one at
 * its InternalIP, else its first address.
 */
class KubeContextTest {
    @TempDir
    Path dir;

    /** A kubeconfig whose contexts {@code cluster-a} (the current one) and {@code cluster-b} name the two servers. */
    static Path twoContexts(Path dir, String urlA, String urlB) throws IOException {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, String.join("\n",
                "apiVersion: v1", "kind: Config", "current-context: cluster-a",
                "clusters: [{name: a, cluster: {server: '" + urlA + "'}}, {name: b, cluster: {server: '" + urlB + "'}}]",
                "users: [{name: u, user: {token: t}}]",
                "contexts: [{name: cluster-a, context: {cluster: a, user: u}}, {name: cluster-b, context: {cluster: b, user: u}}]", ""));
        return kubeconfig;
    }

    private static KubernetesMockServer server() {
        KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        s.init(InetAddress.getLoopbackAddress(), 0);
        return s;
    }

    private static String url(KubernetesMockServer s) {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + s.getPort();
    }

    private static void node(KubernetesClient api, String name, String... typeAndAddress) {
        List<NodeAddress> addresses = new java.util.ArrayList<>();
        for (int i = 0; i < typeAndAddress.length; i += 2) {
            addresses.add(new NodeAddress(typeAndAddress[i + 1], typeAndAddress[i]));
        }
        api.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withAddresses(addresses).endStatus().build()).create();
    }

    @Test
    void kubeContextPicksThatContextsClusterAndGoPmtudsAddresses() throws Exception {
        KubernetesMockServer a = server();
        KubernetesMockServer b = server();
        try (KubernetesClient apiA = a.createClient(); KubernetesClient apiB = b.createClient()) {
            node(apiA, "me", "InternalIP", "192.0.2.1");
            node(apiA, "a-peer", "InternalIP", "192.0.2.2");
            node(apiB, "me", "InternalIP", "198.51.100.1");
            node(apiB, "b-peer", "ExternalIP", "198.51.100.20", "InternalIP", "198.51.100.2");
            node(apiB, "b-no-internal", "ExternalIP", "198.51.100.30", "ExternalIP", "198.51.100.31");
            Path kubeconfig = twoContexts(dir, url(a), url(b));

            assertEquals(Set.of(Values.parseAddress("198.51.100.2"), Values.parseAddress("198.51.100.30")),
                    peersOf("--relay-backend=udp", "--nodename", "me", "--kubeconfig", kubeconfig.toString(), "--kube_context", "cluster-b"),
                    "cluster-b's nodes but this one: InternalIP, else the first address");
            assertEquals(Set.of(Values.parseAddress("192.0.2.2")),
                    peersOf("--relay-backend=udp", "--nodename=me", "--kubeconfig=" + kubeconfig),
                    "without --kube_context: the kubeconfig's current-context");

            CliRunner.Result unknown = CliRunner.run("--relay-backend=udp", "--nodename=me", "--kubeconfig=" + kubeconfig, "--kube_context=cluster-c");
            assertEquals(Main.BAD_CONFIG, unknown.status(), unknown.toString());
            assertTrue(unknown.err().contains("context 'cluster-c' is not in the kubeconfig " + kubeconfig + "; it has cluster-a, cluster-b"),
                    unknown.toString());
        } finally {
            a.destroy();
            b.destroy();
        }
    }

    /** The peers the configuration {@code flags} describe find, through the registry's kubernetes provider. */
    private static Set<InetAddress> peersOf(String... flags) throws Exception {
        String[] args = new String[flags.length + 1];
        args[0] = "config-from-flags";
        System.arraycopy(flags, 0, args, 1, flags.length);
        CliRunner.Result printed = CliRunner.run(args);
        assertEquals(Main.OK, printed.status(), printed.toString());
        ConfigNode root = new YamlConfigLoader(name -> null).parse("from-flags.yaml", printed.out());
        ConfigNode block = root.get("peers").items().get(0);
        PluginRegistry registry = PluginRegistry.discover(List.of(KubeContextTest.class.getClassLoader()));
        PeerProviderFactory factory = (PeerProviderFactory) registry.find(PluginRegistry.PEERS, "kubernetes").orElseThrow().factory();
        BlockingQueue<Set<InetAddress>> sets = new LinkedBlockingQueue<>();
        try (PeerProvider provider = factory.create(new ComponentConfig(block, "peers[0]"), new TestContext("me"))) {
            provider.start(new PeerListener() {
                @Override
                public void peersChanged(Set<InetAddress> peers) {
                    sets.add(Set.copyOf(peers));
                }

                @Override
                public void refreshFailed(String reason, String detail) {
                }
            });
            Set<InetAddress> first = sets.poll(30, TimeUnit.SECONDS);
            assertTrue(first != null, "a peer set within 30 s");
            return first;
        }
    }
}
