package dev.pmtud.it;

import static dev.pmtud.it.KustomizeManifestsTest.get;
import static dev.pmtud.it.KustomizeManifestsTest.list;
import static dev.pmtud.it.KustomizeManifestsTest.map;
import static dev.pmtud.it.KustomizeManifestsTest.only;
import static dev.pmtud.it.KustomizeManifestsTest.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.pmtud.app.Main;
import dev.pmtud.core.PluginRegistry;
import dev.pmtud.testkit.PromText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders deploy/helm/pmtud with real Helm (helm-java: Helm's own library through JNA, offline) for
 * the default values, go-pmtud's README example values and the relay; every rendered pipeline
 * passes {@code pmtud validate}, and the chart's DaemonSet has the shape of the Kustomize base's.
 */
class HelmChartTest {
    static final Path CHART = RepoPaths.root().resolve("deploy/helm/pmtud");
    static final String CONFIG_FILE = "pmtud.yaml";

    @TempDir
    Path tmp;

    /** {@code helm template pmtud deploy/helm/pmtud -n pmtud [-f values]...}, every object parsed. */
    static List<Map<String, Object>> render(Path... values) {
        TemplateCommand t = new Helm(CHART).template().withName("pmtud").withNamespace("pmtud");
        for (Path v : values) {
            t = t.withValuesFile(v);
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object o : new Yaml().loadAll(t.call())) {
            if (o != null) {
                objects.add(map(o));
            }
        }
        return objects;
    }

    Path values(String yaml) throws Exception {
        Path f = Files.createTempFile(tmp, "values", ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    static Map<String, Object> container(List<Map<String, Object>> objects) {
        return map(list(get(only(objects, "DaemonSet"), "spec", "template", "spec", "containers")).get(0));
    }

    static String pipeline(List<Map<String, Object>> objects) {
        return (String) get(only(objects, "ConfigMap"), "data", CONFIG_FILE);
    }

    /** The rendered pipeline passes {@code pmtud validate} (in-process, NODE_NAME set as the pod's). */
    void assertValid(String pipeline, String what) throws Exception {
        Path file = tmp.resolve(what + ".yaml");
        Files.writeString(file, pipeline);
        KustomizeManifestsTest.Result r = KustomizeManifestsTest.validate(file);
        assertEquals(Main.OK, r.status(), what + ": pmtud validate: " + r.out() + r.err() + "\npipeline:\n" + pipeline);
    }

    static Map<String, Object> block(Object components, String type) {
        return list(components).stream().map(KustomizeManifestsTest::map).filter(c -> type.equals(c.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " block in " + components));
    }

    @Test
    void helmLintFindsNothing() {
        com.marcnuri.helm.LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());
    }

    @Test
    void defaultValuesRenderTheBasePipelineWithPeersFromTheApi() throws Exception {
        List<Map<String, Object>> objects = render();
        assertEquals(Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"),
                objects.stream().map(o -> (String) o.get("kind")).collect(Collectors.toSet()), "no Secret without the relay");
        Map<String, Object> config = map(new Yaml().load(pipeline(objects)));
        assertEquals("${NODE_NAME}", config.get("node"));
        assertEquals("0.0.0.0:30040", get(config, "metrics", "listen"));
        assertEquals("0.0.0.0:30041", get(config, "metrics", "health-listen"), "go-pmtud's health port");
        assertEquals(Boolean.TRUE, get(config, "metrics", "go-pmtud"), "go-pmtud's series beside pmtud's");
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            assertEquals(30041, get(map(container(objects).get(probe)), "httpGet", "port"), probe + " on the health port");
        }
        assertEquals("kubernetes", map(list(config.get("peers")).get(0)).get("type"));
        assertEquals(33, block(config.get("sources"), "nflog").get("group"));
        assertEquals(List.of("10.0.0.0/8"), block(config.get("filters"), "exclude-networks").get("networks"));
        Map<String, Object> raw = block(config.get("sinks"), "raw");
        assertEquals(List.of("l3", 10), List.of(raw.get("mode"), raw.get("ttl")));
        assertNull(raw.get("interface"), "no interface given: pmtud finds the default route's");
        assertEquals(Boolean.TRUE, get(config, "rules", "manage"));
        assertEquals("ghcr.io/pmtud/pmtud:0.1.0", container(objects).get("image"), "the chart's appVersion by default");
        assertValid(pipeline(objects), "default");
    }

    @Test
    void goPmtudReadmeValuesWorkAsTheyAre() throws Exception {
        Path seedValues = CHART.resolve("ci/go-pmtud-seed-values.yaml");
        // shared/ lies beside the checkout (CI) or above the worktrees
        Path readme = null;
        for (Path p = RepoPaths.root().getParent(); p != null && readme == null; p = p.getParent()) {
            Path candidate = p.resolve("shared/seed/go-pmtud-README.md");
            readme = Files.isRegularFile(candidate) ? candidate : null;
        }
        if (readme != null) {
            // the README's "Example values.yaml" block, parsed, is what the ci file holds
            String text = Files.readString(readme);
            int start = text.indexOf("```", text.indexOf("Example `values.yaml`"));
            String block = text.substring(text.indexOf('\n', start) + 1, text.indexOf("```", start + 3));
            assertEquals((Object) new Yaml().load(block), (Object) new Yaml().load(Files.readString(seedValues)), "ci/go-pmtud-seed-values.yaml is the README's example");
        } else {
            System.err.println("note: shared/seed/go-pmtud-README.md not found; checking ci/go-pmtud-seed-values.yaml as it is");
        }
        List<Map<String, Object>> objects = render(seedValues);
        Map<String, Object> config = map(new Yaml().load(pipeline(objects)));
        List<String> peers = List.of("192.168.100.2", "192.168.100.3", "192.168.100.4", "192.168.100.5", "192.100.0.50");
        Map<String, Object> peerBlock = map(list(config.get("peers")).get(0));
        assertEquals("static", peerBlock.get("type"));
        assertEquals(peers, peerBlock.get("addresses"), "pmtud.peers, the comma-separated string split");
        assertEquals(33, block(config.get("sources"), "nflog").get("group"));
        // ignoreSourceNetwork plus every peer, so that 192.100.0.50 (outside it) cannot start a loop
        List<String> excluded = new ArrayList<>(List.of("192.168.100.0/24"));
        peers.forEach(p -> excluded.add(p + "/32"));
        assertEquals(excluded, block(config.get("filters"), "exclude-networks").get("networks"));
        assertEquals(excluded, get(config, "rules", "exclude-sources"));
        Map<String, Object> raw = block(config.get("sinks"), "raw");
        assertEquals(List.of("l3", 10, "eth0"), List.of(raw.get("mode"), raw.get("ttl"), raw.get("interface")));
        assertEquals("eth0", get(config, "rules", "interface"));
        assertEquals("0.0.0.0:30040", get(config, "metrics", "listen"));
        assertEquals("sapcc/go-pmtud:latest", container(objects).get("image"), "images.pmtud as given");
        assertValid(pipeline(objects), "go-pmtud-seed");
    }

    /** The ClusterRole's rules, as (resources) lists. */
    static List<Object> ruleResources(List<Map<String, Object>> objects) {
        return list(only(objects, "ClusterRole").get("rules")).stream().map(r -> map(r).get("resources")).toList();
    }

    @Test
    void serviceAddressesKeepTheServicesIpsAndReadServices() throws Exception {
        assertEquals(List.of(List.of("nodes")), ruleResources(render()), "by default the API is asked for nodes only");
        for (String backend : List.of("l3", "udp")) {
            Path on = values("pmtud: { serviceAddresses: true }\n");
            List<Map<String, Object>> objects = backend.equals("udp") ? render(CHART.resolve("ci/relay-values.yaml"), on) : render(on);
            assertEquals(List.of(List.of("nodes"), List.of("services")), ruleResources(objects), backend);
            Map<String, Object> config = map(new Yaml().load(pipeline(objects)));
            assertEquals("kubernetes-services", map(list(get(config, "cluster", "addresses")).get(0)).get("type"), backend);
            Object filters = backend.equals("udp") ? map(list(config.get("pipelines")).get(0)).get("filters") : config.get("filters");
            assertEquals(List.of("exclude-networks", "mtu-range", "service-addresses", "dedup", "rate-limit"),
                    list(filters).stream().map(f -> map(f).get("type")).toList(), backend + ": before dedup and rate-limit");
            if (backend.equals("l3") || PendingMerges.RELAY) {
                assertValid(pipeline(objects), "service-addresses-" + backend);
            }
        }
    }

    @Test
    void l2BackendReplicatesFramesOnTheFirstInterfaceOfIfaceNames() throws Exception {
        List<Map<String, Object>> objects = render(values("pmtud: { relayBackend: l2, ifaceNames: 'bond0, eth1' }\n"));
        Map<String, Object> config = map(new Yaml().load(pipeline(objects)));
        Map<String, Object> raw = block(config.get("sinks"), "raw");
        assertEquals(List.of("l2-unicast", "bond0"), List.of(raw.get("mode"), raw.get("interface")));
        assertEquals("bond0", get(config, "rules", "interface"));
        assertValid(pipeline(objects), "l2");
    }

    @Test
    void relayValuesMountTheKeyFromASecretAndTheTunDevice() throws Exception {
        Path relay = CHART.resolve("ci/relay-values.yaml");
        List<Map<String, Object>> objects = render(relay);
        String key = (String) get(map(new Yaml().load(Files.readString(relay))), "pmtud", "relayKey");
        Map<String, Object> secret = only(objects, "Secret");
        assertEquals(key, new String(Base64.getDecoder().decode((String) get(secret, "data", "relay.key")), StandardCharsets.UTF_8));

        Map<String, Object> pod = map(get(only(objects, "DaemonSet"), "spec", "template", "spec"));
        Map<String, Object> config = volume(pod, "config");
        List<Object> sources = list(get(config, "projected", "sources"));
        assertEquals(get(only(objects, "ConfigMap"), "metadata", "name"), get(sources.get(0), "configMap", "name"));
        assertEquals(get(secret, "metadata", "name"), get(sources.get(1), "secret", "name"));
        Map<String, Object> item = map(list(get(sources.get(1), "secret", "items")).get(0));
        assertEquals(List.of("relay.key", "relay.key", 0400), List.of(item.get("key"), item.get("path"), item.get("mode")),
                "the key file readable by its owner only (pmtud refuses it otherwise)");
        assertEquals(List.of("/dev/net/tun", "CharDevice"), List.of(get(volume(pod, "dev-net-tun"), "hostPath", "path"),
                get(volume(pod, "dev-net-tun"), "hostPath", "type")));
        Map<String, Object> c = container(objects);
        assertTrue(list(c.get("ports")).stream().map(KustomizeManifestsTest::map)
                .anyMatch(p -> Integer.valueOf(4390).equals(p.get("containerPort")) && "UDP".equals(p.get("protocol"))), "the relay port: " + c.get("ports"));
        assertEquals(Set.of("NET_ADMIN", "NET_RAW"), strings(get(c, "securityContext", "capabilities", "add")), "the TUN device needs no more");

        // issue 10's contract, as the chart writes it
        Map<String, Object> pipeline = map(new Yaml().load(pipeline(objects)));
        assertNull(pipeline.get("sinks"), "the relay is two pipelines");
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        list(pipeline.get("pipelines")).forEach(p -> byName.put((String) map(p).get("name"), map(p)));
        assertEquals(List.of("replicate", "receive"), List.copyOf(byName.keySet()));
        assertEquals(List.of(4390, "/etc/pmtud/relay.key"), List.of(block(byName.get("replicate").get("sinks"), "udp").get("port"),
                block(byName.get("replicate").get("sinks"), "udp").get("key-file")));
        assertEquals(List.of("[::]:4390", "/etc/pmtud/relay.key"), List.of(block(byName.get("receive").get("sources"), "udp").get("listen"),
                block(byName.get("receive").get("sources"), "udp").get("key-file")));
        assertEquals("pmtud0", block(byName.get("receive").get("sinks"), "inject").get("device"));
        assertEquals("eth0", get(pipeline, "rules", "interface"), "the first of ifaceNames: the rule captures there only (no loop)");

        PendingMerges.assertUpToDate(PluginRegistry.discover(List.of(HelmChartTest.class.getClassLoader())));
        if (PendingMerges.RELAY) {
            assertValid(pipeline(objects), "relay");
        } else {
            System.err.println("note: the relay pipeline is not validated until the relay is merged (PendingMerges.RELAY)");
        }
    }

    static Map<String, Object> volume(Map<String, Object> pod, String name) {
        return list(pod.get("volumes")).stream().map(KustomizeManifestsTest::map).filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.get("volumes")));
    }

    @Test
    void mistakesInValuesStopTheRenderWithWhatToDo() throws Exception {
        Exception noKey = assertThrows(Exception.class, () -> render(values("pmtud: { relayBackend: udp }\n")));
        assertTrue(noKey.getMessage().contains("pmtud.relayKey is required") && noKey.getMessage().contains("pmtud keygen"), noKey.getMessage());
        Exception badBackend = assertThrows(Exception.class, () -> render(values("pmtud: { relayBackend: l4 }\n")));
        assertTrue(badBackend.getMessage().contains("allowed: l3, l2, udp"), badBackend.getMessage());
        Exception noNetworks = assertThrows(Exception.class, () -> render(values("iptables: { ignoreSourceNetwork: '' }\n")));
        assertTrue(noNetworks.getMessage().contains("iptables.ignoreSourceNetwork is empty"), noNetworks.getMessage());
    }

    @Test
    void aPipelineValueReplacesTheWrittenOne() throws Exception {
        String own = "node: ${NODE_NAME}\nmetrics: { listen: \"0.0.0.0:30040\" }\npeers: [ { type: static, addresses: [192.0.2.2] } ]\n"
                + "sources: [ { type: nflog, group: 7 } ]\nfilters: [ { type: exclude-networks, networks: [192.0.2.0/24] } ]\n"
                + "sinks: [ { type: raw, mode: l3 } ]\nrules: { manage: true }\n";
        Map<String, Object> v = Map.of("pipeline", own);
        Path f = tmp.resolve("own.yaml");
        Files.writeString(f, new Yaml().dump(v));
        List<Map<String, Object>> objects = render(f);
        assertEquals((Object) new Yaml().load(own), (Object) new Yaml().load(pipeline(objects)));
        assertValid(pipeline(objects), "own");
    }

    /**
     * The chart's DaemonSet and the Kustomize base's have the same shape: whatever a reviewer of a
     * NET_ADMIN DaemonSet checks is equal, only names differ. The base runs the relay, so the chart
     * is rendered with its relay values (ci/relay-values.yaml); with its default (go-pmtud's l3) it is
     * the go-pmtud-compat overlay's shape.
     */
    @Test
    void chartAndKustomizeBaseRenderTheSameDaemonSetShape() throws Exception {
        assertSameShape(shape(render(CHART.resolve("ci/relay-values.yaml"))), shape(KustomizeManifestsTest.render("base")), "Kustomize base");
        assertSameShape(shape(render()), shape(KustomizeManifestsTest.render("overlays/go-pmtud-compat")), "go-pmtud-compat overlay");
    }

    static void assertSameShape(Map<String, Object> chart, Map<String, Object> kustomize, String what) {
        assertFalse(chart.isEmpty());
        for (String k : kustomize.keySet()) {
            assertEquals(kustomize.get(k), chart.get(k), "DaemonSet " + k + ": " + what + " vs Helm chart");
        }
        assertEquals(kustomize.keySet(), chart.keySet());
    }

    /** What must match, without object names (the chart's carry the release name, the base's a hash). */
    static Map<String, Object> shape(List<Map<String, Object>> objects) {
        Map<String, Object> ds = only(objects, "DaemonSet");
        Map<String, Object> pod = map(get(ds, "spec", "template", "spec"));
        Map<String, Object> c = map(list(pod.get("containers")).get(0));
        Map<String, Object> s = new TreeMap<>();
        s.put("updateStrategy", sorted(get(ds, "spec", "updateStrategy")));
        Map<String, Object> annotations = new TreeMap<>(map(get(ds, "spec", "template", "metadata", "annotations")));
        annotations.keySet().removeIf(k -> !k.startsWith("prometheus.io/"));
        s.put("annotations", annotations);
        for (String k : List.of("hostNetwork", "dnsPolicy", "tolerations", "terminationGracePeriodSeconds", "initContainers")) {
            s.put("pod." + k, sorted(pod.get(k)));
        }
        s.put("serviceAccount", pod.get("serviceAccountName") != null);
        for (String k : List.of("args", "env", "ports", "livenessProbe", "readinessProbe", "resources", "securityContext", "volumeMounts", "lifecycle")) {
            s.put("container." + k, sorted(c.get(k)));
        }
        // volumes: the same names and kinds; hostPath and emptyDir equal; a configMap's name aside
        // (the chart's carries the release name, the base's a hash), alone or projected with the key
        Map<String, Object> volumes = new TreeMap<>();
        for (Object o : list(pod.get("volumes"))) {
            Map<String, Object> v = new TreeMap<>(map(o));
            if (v.get("configMap") != null) {
                v.put("configMap", "(the release's ConfigMap)");
            }
            if (v.get("projected") != null) {
                List<Object> sources = new ArrayList<>();
                for (Object p : list(get(v, "projected", "sources"))) {
                    Map<String, Object> source = new TreeMap<>(map(p));
                    if (source.get("configMap") != null) {
                        source.put("configMap", "(the release's ConfigMap)");
                    }
                    sources.add(source);
                }
                v.put("projected", Map.of("sources", sources));
            }
            volumes.put((String) v.get("name"), sorted(v));
        }
        s.put("volumes", volumes);
        return s;
    }

    /** Maps with sorted keys, all the way down, so that key order never counts. */
    static Object sorted(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(HelmChartTest::sorted).toList();
        }
        return o;
    }
}
