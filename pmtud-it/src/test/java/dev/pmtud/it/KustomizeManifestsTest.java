package dev.pmtud.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pmtud.app.Cli;
import dev.pmtud.app.Main;
import dev.pmtud.app.StopSignal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders deploy/kubernetes (the base and every overlay) with {@code kubectl kustomize}, offline,
 * and checks what a reviewer of a DaemonSet that holds NET_ADMIN would check, plus that the
 * pipeline in the ConfigMap passes {@code pmtud validate}.
 */
class KustomizeManifestsTest {
    static final int METRICS_PORT = 30040;
    static final String CONFIG_PATH = "/etc/pmtud/pmtud.yaml";

    @TempDir
    Path tmp;

    static Stream<String> kustomizations() throws IOException {
        Path k = RepoPaths.root().resolve("deploy/kubernetes");
        List<String> dirs = new ArrayList<>();
        dirs.add("base");
        try (Stream<Path> s = Files.list(k.resolve("overlays"))) {
            s.filter(p -> Files.isRegularFile(p.resolve("kustomization.yaml"))).sorted()
                    .forEach(p -> dirs.add("overlays/" + p.getFileName()));
        }
        assertTrue(dirs.contains("overlays/go-pmtud-compat"), "the go-pmtud-compat overlay exists: " + dirs);
        return dirs.stream();
    }

    /** {@code kubectl kustomize DIR}, parsed: every rendered object as a map. */
    static List<Map<String, Object>> render(String dir) throws Exception {
        Path path = RepoPaths.root().resolve("deploy/kubernetes").resolve(dir);
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", path.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render the manifests (Debian package kubectl; works offline): " + e.getMessage());
        }
        var err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the exit status tells
            }
        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " finished");
        drain.join();
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + err.toString(StandardCharsets.UTF_8));
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object o : new Yaml().loadAll(out)) {
            if (o != null) {
                objects.add(map(o));
            }
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertTrue(o instanceof Map, "expected a map, got " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertTrue(o instanceof List, "expected a list, got " + o);
        return (List<Object>) o;
    }

    /** {@code get(obj, "spec", "template", "spec")}: fails naming the path when a step is missing. */
    static Object get(Object obj, String... path) {
        Object cur = obj;
        StringBuilder where = new StringBuilder();
        for (String step : path) {
            where.append('.').append(step);
            assertTrue(cur instanceof Map, where + " is inside a map");
            cur = ((Map<?, ?>) cur).get(step);
            assertNotNull(cur, where + " is set");
        }
        return cur;
    }

    static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
        List<Map<String, Object>> found = objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        assertEquals(1, found.size(), "exactly one " + kind);
        return found.get(0);
    }

    static Set<String> strings(Object list) {
        return list(list).stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void renderedObjectsAreTheOnesADaemonSetWithLeastPrivilegeNeeds(String dir) throws Exception {
        List<Map<String, Object>> objects = render(dir);
        assertEquals(Set.of("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"),
                objects.stream().map(o -> (String) o.get("kind")).collect(Collectors.toSet()), "kinds of " + dir);
        String namespace = (String) get(only(objects, "Namespace"), "metadata", "name");

        // RBAC: read nodes, nothing else.
        Map<String, Object> role = only(objects, "ClusterRole");
        List<Object> rules = list(get(role, "rules"));
        assertEquals(1, rules.size(), "one rule: " + rules);
        assertEquals(List.of(""), get(rules.get(0), "apiGroups"), "the core API group");
        assertEquals(List.of("nodes"), get(rules.get(0), "resources"));
        assertEquals(List.of("get", "list", "watch"), get(rules.get(0), "verbs"));
        assertNull(map(rules.get(0)).get("resourceNames"));
        Map<String, Object> sa = only(objects, "ServiceAccount");
        Map<String, Object> binding = only(objects, "ClusterRoleBinding");
        assertEquals(get(role, "metadata", "name"), get(binding, "roleRef", "name"));
        assertEquals("ClusterRole", get(binding, "roleRef", "kind"));
        Map<String, Object> subject = map(list(get(binding, "subjects")).get(0));
        assertEquals(List.of("ServiceAccount", get(sa, "metadata", "name"), namespace),
                List.of(subject.get("kind"), subject.get("name"), subject.get("namespace")));

        Map<String, Object> ds = only(objects, "DaemonSet");
        assertEquals(namespace, get(ds, "metadata", "namespace"));
        Map<String, Object> pod = map(get(ds, "spec", "template", "spec"));
        assertEquals(Boolean.TRUE, pod.get("hostNetwork"), "hostNetwork");
        assertEquals(get(sa, "metadata", "name"), pod.get("serviceAccountName"));
        assertNull(pod.get("initContainers"), "no initContainer: pmtud manages its rule");
        List<Object> containers = list(pod.get("containers"));
        assertEquals(1, containers.size());
        Map<String, Object> c = map(containers.get(0));
        assertNull(c.get("lifecycle"), "no preStop hook: pmtud removes its rule on SIGTERM");

        // Capabilities: exactly NET_ADMIN and NET_RAW, everything else dropped, not privileged.
        Map<String, Object> sc = map(get(c, "securityContext"));
        assertFalse(Boolean.TRUE.equals(sc.get("privileged")), "not privileged");
        assertEquals(Boolean.FALSE, sc.get("allowPrivilegeEscalation"));
        assertEquals(Set.of("NET_ADMIN", "NET_RAW"), strings(get(sc, "capabilities", "add")));
        assertEquals(Set.of("ALL"), strings(get(sc, "capabilities", "drop")));

        // NODE_NAME from the downward API.
        Map<String, Object> nodeName = list(get(c, "env")).stream().map(KustomizeManifestsTest::map)
                .filter(e -> "NODE_NAME".equals(e.get("name"))).findFirst().orElseThrow(() -> new AssertionError("NODE_NAME env"));
        assertEquals("spec.nodeName", get(nodeName, "valueFrom", "fieldRef", "fieldPath"));

        // Probes and scraping on the metrics port.
        assertEquals("/healthz", get(c, "livenessProbe", "httpGet", "path"));
        assertEquals(METRICS_PORT, get(c, "livenessProbe", "httpGet", "port"));
        assertEquals("/readyz", get(c, "readinessProbe", "httpGet", "path"));
        assertEquals(METRICS_PORT, get(c, "readinessProbe", "httpGet", "port"));
        Map<String, Object> annotations = map(get(ds, "spec", "template", "metadata", "annotations"));
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(METRICS_PORT), annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));

        // Resources are bounded.
        assertNotNull(get(c, "resources", "requests", "cpu"));
        assertNotNull(get(c, "resources", "requests", "memory"));
        assertNotNull(get(c, "resources", "limits", "memory"));

        // The ConfigMap the pod mounts (alone, or projected with the relay key), at the path its arguments name.
        assertEquals(List.of("run", "--config", CONFIG_PATH), get(c, "args"));
        Map<String, Object> configVolume = volume(pod, "config");
        Map<String, Object> mount = list(get(c, "volumeMounts")).stream().map(KustomizeManifestsTest::map)
                .filter(m -> configVolume.get("name").equals(m.get("name"))).findFirst().orElseThrow();
        assertEquals(Path.of(CONFIG_PATH).getParent().toString(), mount.get("mountPath"));
        assertEquals(Boolean.TRUE, mount.get("readOnly"), "the configuration (and key) mounted read-only");
        Map<String, Object> cm = only(objects, "ConfigMap");
        assertEquals(get(cm, "metadata", "name"), configMapOf(configVolume), "the pod mounts the rendered ConfigMap");
        String pipeline = (String) get(cm, "data", Path.of(CONFIG_PATH).getFileName().toString());

        Map<String, Object> config = map(new Yaml().load(pipeline));
        assertEquals("${NODE_NAME}", config.get("node"), "node name from the downward API");
        assertTrue(((String) get(config, "metrics", "listen")).endsWith(":" + METRICS_PORT), "metrics listen on the probed port");
        assertEquals(Boolean.TRUE, get(config, "rules", "manage"), "pmtud manages its NFLOG rule");
        Map<String, Object> nflog = components(config, "sources").stream()
                .filter(s -> "nflog".equals(s.get("type"))).findFirst().orElseThrow(() -> new AssertionError("an nflog source"));
        assertEquals(33, nflog.get("group"));
        assertTrue(components(config, "filters").stream().map(f -> (String) f.get("type")).collect(Collectors.toSet())
                .containsAll(Set.of("exclude-networks", "mtu-range", "dedup", "rate-limit")), "the base's filters");

        assertValid(pipeline, dir);
    }

    /** The volume {@code name} of the pod spec. */
    static Map<String, Object> volume(Map<String, Object> pod, String name) {
        return list(pod.get("volumes")).stream().map(KustomizeManifestsTest::map).filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.get("volumes")));
    }

    /** The ConfigMap a volume shows: its own, or the one among its projected sources. */
    static Object configMapOf(Map<String, Object> volume) {
        if (volume.get("configMap") != null) {
            return get(volume, "configMap", "name");
        }
        return list(get(volume, "projected", "sources")).stream().map(KustomizeManifestsTest::map).filter(s -> s.get("configMap") != null)
                .map(s -> get(s, "configMap", "name")).findFirst().orElseThrow(() -> new AssertionError("no configMap in " + volume));
    }

    /** Every component block of a section ("sources", "sinks"...), of every pipeline, in either form. */
    static List<Map<String, Object>> components(Map<String, Object> config, String section) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (config.get("pipelines") != null) {
            for (Object p : list(config.get("pipelines"))) {
                Object s = map(p).get(section);
                if (s != null) {
                    list(s).forEach(c -> out.add(map(c)));
                }
            }
        } else if (config.get(section) != null) {
            list(config.get(section)).forEach(c -> out.add(map(c)));
        }
        return out;
    }

    /**
     * The base runs issue 10's relay: a udp sink and source with the key file, an inject sink, and the
     * key from a Secret the manifests do not hold, mounted read-only with mode 0400 at the path every
     * key-file names; the TUN clone device from the host; the relay's UDP port.
     */
    @Test
    void baseRunsTheRelayWithTheKeyFromASecret() throws Exception {
        List<Map<String, Object>> objects = render("base");
        assertTrue(objects.stream().noneMatch(o -> "Secret".equals(o.get("kind"))), "no key in the repository: the user creates the Secret");
        Map<String, Object> config = map(new Yaml().load((String) get(only(objects, "ConfigMap"), "data", "pmtud.yaml")));
        Map<String, String> pipelineOf = new java.util.LinkedHashMap<>();
        for (Object p : list(get(config, "pipelines"))) {
            for (String section : List.of("sources", "sinks")) {
                for (Object c : list(get(p, section))) {
                    pipelineOf.put(section + ":" + map(c).get("type"), (String) map(p).get("name"));
                }
            }
        }
        assertEquals("replicate", pipelineOf.get("sources:nflog"));
        assertEquals("replicate", pipelineOf.get("sinks:udp"));
        assertEquals("receive", pipelineOf.get("sources:udp"));
        assertEquals("receive", pipelineOf.get("sinks:inject"));
        Set<Object> keyFiles = new TreeSet<>();
        components(config, "sources").stream().filter(s -> "udp".equals(s.get("type"))).forEach(s -> keyFiles.add(s.get("key-file")));
        components(config, "sinks").stream().filter(s -> "udp".equals(s.get("type"))).forEach(s -> keyFiles.add(s.get("key-file")));
        assertEquals(Set.of(RELAY_KEY_PATH), keyFiles, "both ends of the relay are signed with the one key file");

        Map<String, Object> pod = map(get(only(objects, "DaemonSet"), "spec", "template", "spec"));
        Map<String, Object> secret = list(get(volume(pod, "config"), "projected", "sources")).stream().map(KustomizeManifestsTest::map)
                .filter(s -> s.get("secret") != null).map(s -> map(s.get("secret"))).findFirst()
                .orElseThrow(() -> new AssertionError("the config volume projects a Secret: " + volume(pod, "config")));
        assertEquals(RELAY_SECRET, secret.get("name"));
        assertNull(secret.get("optional"), "not optional: without the key the pod waits, with the kubelet saying why");
        Map<String, Object> item = map(list(secret.get("items")).get(0));
        assertEquals(List.of("relay.key", Path.of(RELAY_KEY_PATH).getFileName().toString(), 0400),
                List.of(item.get("key"), item.get("path"), item.get("mode")), "the key file readable by its owner only (pmtud refuses it otherwise)");
        Map<String, Object> c = map(list(pod.get("containers")).get(0));
        assertTrue(list(c.get("ports")).stream().map(KustomizeManifestsTest::map)
                .anyMatch(p -> Integer.valueOf(4390).equals(p.get("containerPort")) && "UDP".equals(p.get("protocol"))), "the relay port: " + c.get("ports"));
        assertEquals(List.of("/dev/net/tun", "CharDevice"), List.of(get(volume(pod, "dev-net-tun"), "hostPath", "path"),
                get(volume(pod, "dev-net-tun"), "hostPath", "type")));
        assertTrue(list(c.get("volumeMounts")).stream().map(KustomizeManifestsTest::map)
                .anyMatch(m -> "dev-net-tun".equals(m.get("name")) && "/dev/net/tun".equals(m.get("mountPath"))), "the TUN clone device is mounted");
        assertEquals(Boolean.TRUE, get(c, "securityContext", "readOnlyRootFilesystem"), "read-only root: /proc/sys too, the inject sink needs neither");
    }

    static final String RELAY_SECRET = "pmtud-relay-key";
    static final String RELAY_KEY_PATH = "/etc/pmtud/relay.key";

    /** Runs {@code pmtud validate} in-process on the pipeline, with NODE_NAME as the pod would have it. */
    void assertValid(String pipeline, String dir) throws IOException {
        Path file = tmp.resolve(dir.replace('/', '-') + ".yaml");
        Files.writeString(file, pipeline);
        Result r = validate(file);
        assertEquals(Main.OK, r.status, dir + ": pmtud validate: " + r.out + r.err);
        assertTrue(r.out.startsWith("OK"), r.out);
    }

    record Result(int status, String out, String err) {
    }

    static Result validate(Path file) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("NODE_NAME", "node-a");
        int status = Main.run(new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env::get, new StopSignal()), "validate", "--config", file.toString());
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void validationWouldCatchABrokenPipeline() throws Exception {
        String pipeline = (String) get(only(render("base"), "ConfigMap"), "data", "pmtud.yaml");
        String broken = pipeline.replace("address-type: InternalIP", "address-type: InternalIP, node-selectr: x");
        assertFalse(broken.equals(pipeline), "the base's kubernetes peers block was found and changed");
        Path file = tmp.resolve("broken.yaml");
        Files.writeString(file, broken);
        Result r = validate(file);
        assertEquals(Main.BAD_CONFIG, r.status, r.out + r.err);
        assertTrue(r.err.contains("node-selectr") && r.err.contains("node-selector"), r.err);
    }

    @Test
    void goPmtudCompatOverlayCarriesTheSeedsValues() throws Exception {
        List<Map<String, Object>> objects = render("overlays/go-pmtud-compat");
        String pipeline = (String) get(only(objects, "ConfigMap"), "data", "pmtud.yaml");
        Map<String, Object> config = map(new Yaml().load(pipeline));
        // values.yaml: nflogGroup 33, ignoreSourceNetwork 192.168.100.0/24, ttl 10, metricsPort 30040,
        // interface eth0, peers 192.168.100.2-5 and 192.100.0.50
        assertEquals(33, get(map(list(get(config, "sources")).get(0)), "group"));
        Map<String, Object> exclude = list(get(config, "filters")).stream().map(KustomizeManifestsTest::map)
                .filter(f -> "exclude-networks".equals(f.get("type"))).findFirst().orElseThrow();
        assertTrue(strings(get(exclude, "networks")).contains("192.168.100.0/24"));
        assertTrue(strings(get(config, "rules", "exclude-sources")).contains("192.168.100.0/24"));
        Map<String, Object> raw = map(list(get(config, "sinks")).get(0));
        assertEquals(List.of("raw", "l3"), List.of(raw.get("type"), raw.get("mode")), "the overlay keeps go-pmtud's l3");
        assertEquals(10, raw.get("ttl"));
        assertEquals("eth0", raw.get("interface"));
        assertEquals("eth0", get(config, "rules", "interface"));
        assertEquals("0.0.0.0:30040", get(config, "metrics", "listen"));
        Map<String, Object> peers = map(list(get(config, "peers")).get(0));
        assertEquals("static", peers.get("type"));
        assertEquals(List.of("192.168.100.2", "192.168.100.3", "192.168.100.4", "192.168.100.5", "192.100.0.50"),
                get(peers, "addresses"));
        // It says what l3 cannot do, and where to go instead.
        assertTrue(pipeline.contains("ON THE NODES ONLY, never a pod behind a Service's DNAT") && pipeline.contains("outer daddr != inner")
                && pipeline.contains("From l3 to the relay"), "the overlay's pipeline file says l3 reaches host sockets only:\n" + pipeline);
        Path file = tmp.resolve("go-pmtud-compat-note.yaml");
        Files.writeString(file, pipeline);
        Result validated = validate(file);
        assertTrue(validated.out.contains("NOTE: ") && validated.out.contains("l3 reaches host sockets only"), "validate says so too: " + validated.out);
        // and the base's relay parts are gone from its DaemonSet: nothing waits for a key it never reads
        Map<String, Object> pod = map(get(only(objects, "DaemonSet"), "spec", "template", "spec"));
        assertEquals(get(only(objects, "ConfigMap"), "metadata", "name"), get(volume(pod, "config"), "configMap", "name"));
        assertFalse(list(pod.get("volumes")).toString().contains(RELAY_SECRET), "no relay key Secret: " + pod.get("volumes"));
        assertFalse(pod.toString().contains("/dev/net/tun") || pod.toString().contains("4390"), "no TUN device, no relay port: " + pod);
        // Every seed peer is inside an excluded network, so l3 replication cannot loop.
        for (Object peer : list(get(peers, "addresses"))) {
            boolean covered = strings(get(exclude, "networks")).stream()
                    .anyMatch(n -> dev.pmtud.api.Cidr.parse(n).contains(dev.pmtud.api.Values.parseAddress((String) peer)));
            if (!covered) {
                fail("peer " + peer + " is outside every excluded network " + get(exclude, "networks"));
            }
        }
    }
}
