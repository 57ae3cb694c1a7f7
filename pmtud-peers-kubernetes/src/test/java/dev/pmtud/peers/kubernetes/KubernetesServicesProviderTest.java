package dev.pmtud.peers.kubernetes;

import static dev.pmtud.peers.kubernetes.RecordingListener.ips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pmtud.api.ConfigException;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.testkit.Cfg;
import dev.pmtud.testkit.TestContext;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kubernetes-services provider against fabric8's mock API server in CRUD mode (list, watch, changes). */
class KubernetesServicesProviderTest {
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private KubernetesMockServer server;
    private KubernetesClient api;

    @BeforeEach
    void startServer() {
        server = KubernetesPeerProviderTest.crudServer();
        server.init(InetAddress.getLoopbackAddress(), 0);
        cleanup.add(server::destroy);
        api = server.createClient();
        cleanup.add(api);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private KubernetesServicesProvider provider(List<String> namespaces, String selector) {
        String url = KubernetesPeerProviderTest.url(server);
        KubernetesServicesProvider p = new KubernetesServicesProvider(() -> KubernetesPeerProviderTest.client(url), namespaces,
                LabelSelector.parse(selector), RecordingListener.WAIT, System.getLogger("test"));
        cleanup.add(p::close);
        return p;
    }

    private static ServiceBuilder service(String namespace, String name, Map<String, String> labels) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata();
    }

    private Service create(Service s) {
        return api.services().inNamespace(s.getMetadata().getNamespace()).resource(s).create();
    }

    @Test
    void reportsClusterExternalAndLoadBalancerIpsOfEveryServiceAndFollowsChanges() throws Exception {
        create(service("default", "web", Map.of("app", "web")).withNewSpec().withType("ClusterIP")
                .withClusterIP("10.96.0.10").withClusterIPs("10.96.0.10", "fd00:10:96::10").endSpec().build());
        create(service("default", "headless", Map.of()).withNewSpec().withClusterIP("None").withClusterIPs("None").endSpec().build());
        create(service("ingress", "edge", Map.of("app", "edge")).withNewSpec().withType("LoadBalancer").withClusterIP("10.96.0.20")
                .endSpec().withNewStatus().withNewLoadBalancer()
                .withIngress(new LoadBalancerIngressBuilder().withHostname("lb.example.org").build(), // a host name is no address
                        new LoadBalancerIngressBuilder().withIp("203.0.113.50").build())
                .endLoadBalancer().endStatus().build());
        create(service("ingress", "pinned", Map.of()).withNewSpec().withClusterIP("10.96.0.30")
                .withExternalIPs("198.51.100.7").endSpec().build());

        RecordingListener listener = new RecordingListener();
        provider(List.of(), "").start(listener);
        assertEquals(ips("10.96.0.10", "fd00:10:96::10", "10.96.0.20", "203.0.113.50", "10.96.0.30", "198.51.100.7"),
                listener.sets.poll(), "first set, reported by start()");

        api.services().inNamespace("ingress").withName("pinned").edit(s -> {
            s.getSpec().setExternalIPs(List.of("198.51.100.8"));
            return s;
        });
        listener.awaitPeers(ips("10.96.0.10", "fd00:10:96::10", "10.96.0.20", "203.0.113.50", "10.96.0.30", "198.51.100.8"));

        api.services().inNamespace("default").withName("web").delete();
        listener.awaitPeers(ips("10.96.0.20", "203.0.113.50", "10.96.0.30", "198.51.100.8"));

        create(service("other", "late", Map.of()).withNewSpec().withClusterIP("10.96.0.40").endSpec().build());
        listener.awaitPeers(ips("10.96.0.20", "203.0.113.50", "10.96.0.30", "198.51.100.8", "10.96.0.40"));
        assertTrue(listener.failures.isEmpty(), "no failures against a healthy server: " + listener.failures);
    }

    @Test
    void readsOnlyTheListedNamespacesAndTheSelectedServices() throws Exception {
        create(service("default", "web", Map.of("expose", "yes")).withNewSpec().withClusterIP("10.96.0.10").endSpec().build());
        create(service("default", "internal", Map.of()).withNewSpec().withClusterIP("10.96.0.11").endSpec().build());
        create(service("ingress", "edge", Map.of("expose", "yes")).withNewSpec().withClusterIP("10.96.0.20").endSpec().build());
        create(service("kube-system", "dns", Map.of("expose", "yes")).withNewSpec().withClusterIP("10.96.0.53").endSpec().build());

        RecordingListener listener = new RecordingListener();
        provider(List.of("default", "ingress"), "expose=yes").start(listener);
        listener.awaitPeers(ips("10.96.0.10", "10.96.0.20"));

        api.services().inNamespace("default").withName("internal").edit(s -> {
            s.getMetadata().setLabels(Map.of("expose", "yes"));
            return s;
        });
        listener.awaitPeers(ips("10.96.0.10", "10.96.0.11", "10.96.0.20"));
    }

    @Test
    void theFactoryChecksItsKeysAndContactsNothingUntilStarted() throws Exception {
        KubernetesServicesProviderFactory factory = new KubernetesServicesProviderFactory();
        ConfigException bad = assertThrows(ConfigException.class, () -> factory.create(
                Cfg.component(3, "peers", "kubernetes-services", "namespaces", List.of("Default")), new TestContext()));
        assertTrue(bad.getMessage().startsWith("pmtud.yaml:") && bad.getMessage().contains("'namespaces'"), bad.getMessage());
        assertTrue(bad.getMessage().contains("'Default'"), bad.getMessage());
        // No API server at all: creating (what `pmtud validate` does) must not try to reach one.
        try (PeerProvider p = factory.create(Cfg.component(3, "peers", "kubernetes-services", "label-selector", "app=web"),
                new TestContext())) {
            assertTrue(p instanceof KubernetesServicesProvider);
            assertTrue(server.getRequestCount() == 0 && !((KubernetesServicesProvider) p).watching());
        }
    }
}
