package dev.pmtud.peers.kubernetes;

import dev.pmtud.api.Values;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cluster's Service addresses from the Kubernetes API: of every Service (of all namespaces, or
 * of the listed ones) that matches the label selector, its cluster IPs ({@code spec.clusterIPs},
 * else {@code spec.clusterIP}; a headless Service's {@code None} is no address), its
 * {@code spec.externalIPs} and its load balancers' ingress IPs ({@code status.loadBalancer.ingress[].ip};
 * an ingress given only as a host name is no address). Informers as for the nodes
 * ({@link InformerAddressProvider}).
 */
final class KubernetesServicesProvider extends InformerAddressProvider<Service> {

    private final List<String> namespaces;
    private final LabelSelector selector;

    /** @param namespaces where to read Services; empty: every namespace */
    KubernetesServicesProvider(Supplier<KubernetesClient> clientFactory, List<String> namespaces, LabelSelector selector,
                               Duration startTimeout, System.Logger log) {
        super(clientFactory, startTimeout, "kubernetes services", "services", log);
        this.namespaces = List.copyOf(namespaces);
        this.selector = selector;
    }

    @Override
    List<SharedIndexInformer<Service>> informers(KubernetesClient client) {
        if (namespaces.isEmpty()) {
            return List.of(client.services().inAnyNamespace().runnableInformer(0));
        }
        List<SharedIndexInformer<Service>> out = new ArrayList<>();
        for (String ns : namespaces) {
            out.add(client.services().inNamespace(ns).runnableInformer(0));
        }
        return out;
    }

    @Override
    void addAddresses(Service service, Set<InetAddress> out) {
        if (service.getMetadata() == null || !selector.matches(service.getMetadata().getLabels())) {
            return;
        }
        ServiceSpec spec = service.getSpec();
        if (spec != null) {
            List<String> clusterIps = spec.getClusterIPs();
            if (clusterIps == null || clusterIps.isEmpty()) {
                clusterIps = spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
            }
            for (String ip : clusterIps) {
                add(service, "clusterIP", ip, out);
            }
            if (spec.getExternalIPs() != null) {
                for (String ip : spec.getExternalIPs()) {
                    add(service, "externalIP", ip, out);
                }
            }
        }
        if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
                add(service, "load-balancer ingress", ingress.getIp(), out);
            }
        }
    }

    private void add(Service service, String field, String ip, Set<InetAddress> out) {
        if (ip == null || ip.isBlank() || ip.equals("None")) {
            return;
        }
        try {
            out.add(Values.parseAddress(ip.trim()));
        } catch (IllegalArgumentException e) {
            log.log(System.Logger.Level.DEBUG, () -> "kubernetes services: service " + service.getMetadata().getNamespace() + "/"
                    + service.getMetadata().getName() + " has a " + field + " that is not an IP: " + ip);
        }
    }
}
