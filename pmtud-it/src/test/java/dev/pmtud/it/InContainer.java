package dev.pmtud.it;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A {@link PmtudSetup} run by the image ({@link ImageContainers}) instead of {@code bin/pmtud}: the
 * same configuration, with the relay key at the path the container sees ({@code /etc/pmtud/relay.key},
 * as in the Kubernetes base), and the same checks, plus the container's privileges while it runs.
 */
record InContainer(PmtudSetup setup, ImageContainers containers) implements PmtudSetup {

    @Override
    public String name() {
        return setup.name() + " (image)";
    }

    @Override
    public String config(ClusterPlan plan, int n, Path dir) throws IOException {
        return setup.config(plan, n, dir).replace(dir.resolve(RelaySetup.KEY_FILE).toString(), ImageContainers.KEY_IN_CONTAINER);
    }

    /** A setup whose receivers hand replicas to the kernel through a sink injects them into a TUN device. */
    boolean injects() {
        return setup.receivingSink().isPresent();
    }

    @Override
    public List<List<String>> externalRules(ClusterPlan plan) {
        return setup.externalRules(plan);
    }

    @Override
    public List<InetAddress> addressedPeers(ClusterPlan plan, Family f) {
        return setup.addressedPeers(plan, f);
    }

    @Override
    public String replicaInterface() {
        return setup.replicaInterface();
    }

    @Override
    public String replicatingPipeline() {
        return setup.replicatingPipeline();
    }

    @Override
    public Optional<PipelineSink> receivingSink() {
        return setup.receivingSink();
    }

    @Override
    public boolean forwardsEveryMessage() {
        return setup.forwardsEveryMessage();
    }

    @Override
    public boolean reachesPods() {
        return setup.reachesPods();
    }

    @Override
    public void checkRunning(ClusterLab lab, int n, List<String> problems) {
        setup.checkRunning(lab, n, problems);
        containers.checkPrivileges(n, problems);
    }

    @Override
    public void checkStopped(ClusterLab lab, int n, List<String> problems) {
        setup.checkStopped(lab, n, problems);
    }

    @Override
    public String toString() {
        return name();
    }
}
